using System.Globalization;
using System.Text;
using System.Xml;

namespace KMeans.Core.Reporting;

/// <summary>
/// One chart as inline SVG: a frame with grid lines and tick labels, then series drawn as polylines, bars and guide
/// lines. The SVG scales with its viewBox; colours come from presentation attributes (for readers without CSS) that
/// the report's stylesheet overrides by class (for the dark scheme).
/// </summary>
internal sealed class SvgChart
{
    public const double Width = 480;
    public const double Height = 230;
    private const double Left = 58;
    private const double Right = 12;
    private const double Top = 24;
    private const double Bottom = 42;

    /// <summary>Series with at most this many points also get a dot per point, so a single point shows.</summary>
    private const int MarkerLimit = 60;

    private readonly XmlWriter _xml;

    public SvgChart(XmlWriter xml, string title, ChartScale x, ChartScale y, string xLabel, string yLabel)
    {
        _xml = xml;
        X = x;
        Y = y;
        _xml.WriteStartElement("svg", "http://www.w3.org/2000/svg");
        Attribute("viewBox", string.Create(CultureInfo.InvariantCulture, $"0 0 {Width} {Height}"));
        _xml.WriteAttributeString("role", "img");
        _xml.WriteAttributeString("aria-label", title);
        _xml.WriteElementString("title", "http://www.w3.org/2000/svg", title);
        DrawGrid(xLabel, yLabel);
    }

    public static double PlotLeft => Left;

    public static double PlotRight => Width - Right;

    public static double PlotTop => Top;

    public static double PlotBottom => Height - Bottom;

    public ChartScale X { get; }

    public ChartScale Y { get; }

    /// <summary>A line through the points; <paramref name="series"/> names it for readers and tests.</summary>
    public void Polyline(string series, IReadOnlyList<(double X, double Y)> points, string cssClass, string colour)
    {
        var text = new StringBuilder(points.Count * 14);
        foreach ((double x, double y) in points)
        {
            if (text.Length > 0)
                text.Append(' ');
            text.Append(Pixel(X.Map(x))).Append(',').Append(Pixel(Y.Map(y)));
        }
        _xml.WriteStartElement("polyline");
        _xml.WriteAttributeString("class", "line " + cssClass);
        _xml.WriteAttributeString("data-series", series);
        _xml.WriteAttributeString("points", text.ToString());
        _xml.WriteAttributeString("fill", "none");
        _xml.WriteAttributeString("stroke", colour);
        _xml.WriteAttributeString("stroke-width", "2");
        _xml.WriteAttributeString("stroke-linejoin", "round");
        _xml.WriteEndElement();
        if (points.Count > MarkerLimit)
            return;
        foreach ((double x, double y) in points)
        {
            _xml.WriteStartElement("circle");
            _xml.WriteAttributeString("class", "dot " + cssClass);
            Attribute("cx", X.Map(x));
            Attribute("cy", Y.Map(y));
            _xml.WriteAttributeString("r", "2.5");
            _xml.WriteAttributeString("fill", colour);
            _xml.WriteEndElement();
        }
    }

    /// <summary>Bars from the x axis up to each height, one per (from, to, height).</summary>
    public void Bars(string series, IReadOnlyList<(double From, double To, double Height)> bars, string colour)
    {
        _xml.WriteStartElement("g");
        _xml.WriteAttributeString("class", "bars");
        _xml.WriteAttributeString("data-series", series);
        _xml.WriteAttributeString("fill", colour);
        double baseline = Y.Map(Y.Ticks[0]);
        foreach ((double from, double to, double height) in bars)
        {
            double left = X.Map(from);
            double top = Y.Map(height);
            _xml.WriteStartElement("rect");
            Attribute("x", left);
            Attribute("y", top);
            Attribute("width", Math.Max(0.5, X.Map(to) - left - 0.5));
            Attribute("height", Math.Max(0, baseline - top));
            _xml.WriteEndElement();
        }
        _xml.WriteEndElement();
    }

    /// <summary>
    /// A dashed horizontal line across the plot at <paramref name="y"/>, labelled at its left end, where the falling
    /// series of this report (losses, changes, sizes largest first) are still above it.
    /// </summary>
    public void HorizontalGuide(double y, string label, string cssClass, string colour)
    {
        double pixel = Y.Map(y);
        Guide(PlotLeft, pixel, PlotRight, pixel, cssClass, colour);
        Label(PlotLeft + 6, pixel > PlotTop + 16 ? pixel - 5 : pixel + 14, label, "start", "guide-label " + cssClass);
    }

    /// <summary>A dashed vertical line over the plot at <paramref name="x"/>, labelled at its top.</summary>
    public void VerticalGuide(double x, string label, string cssClass, string colour)
    {
        double pixel = X.Map(x);
        Guide(pixel, PlotTop, pixel, PlotBottom, cssClass, colour);
        Label(pixel + 4, PlotTop + 10, label, "start", "guide-label " + cssClass);
    }

    public void End() => _xml.WriteEndElement();

    /// <summary>The least distance between neighbouring ticks, which their labels must show; 0 for fewer than two.</summary>
    private static double LeastStep(IReadOnlyList<double> ticks)
    {
        double least = 0;
        for (int i = 1; i < ticks.Count; i++)
        {
            double step = Math.Abs(ticks[i] - ticks[i - 1]);
            least = least == 0 ? step : Math.Min(least, step);
        }
        return least;
    }

    private void DrawGrid(string xLabel, string yLabel)
    {
        foreach (double tick in Y.Ticks)
        {
            double y = Y.Map(tick);
            Line(PlotLeft, y, PlotRight, y, "grid", "#d5dae3");
            Label(PlotLeft - 6, y + 4, ReportText.Tick(tick, LeastStep(Y.Ticks)), "end", "tick");
        }
        foreach (double tick in X.Ticks)
        {
            double x = X.Map(tick);
            Line(x, PlotBottom, x, PlotBottom + 4, "frame", "#5b6478");
            Label(x, PlotBottom + 17, ReportText.Tick(tick, LeastStep(X.Ticks)), "middle", "tick");
        }
        _xml.WriteStartElement("rect");
        _xml.WriteAttributeString("class", "frame");
        Attribute("x", PlotLeft);
        Attribute("y", PlotTop);
        Attribute("width", PlotRight - PlotLeft);
        Attribute("height", PlotBottom - PlotTop);
        _xml.WriteAttributeString("fill", "none");
        _xml.WriteAttributeString("stroke", "#5b6478");
        _xml.WriteEndElement();
        Label((PlotLeft + PlotRight) / 2, Height - 6, xLabel, "middle", "axis-label");
        // Above the tick labels rather than rotated beside them, which leaves them the whole margin.
        Label(4, PlotTop - 10, yLabel, "start", "axis-label");
    }

    private void Guide(double x1, double y1, double x2, double y2, string cssClass, string colour) =>
        Line(x1, y1, x2, y2, "guide " + cssClass, colour, dashes: "6 4");

    private void Line(double x1, double y1, double x2, double y2, string cssClass, string colour, string? dashes = null)
    {
        _xml.WriteStartElement("line");
        _xml.WriteAttributeString("class", cssClass);
        Attribute("x1", x1);
        Attribute("y1", y1);
        Attribute("x2", x2);
        Attribute("y2", y2);
        _xml.WriteAttributeString("stroke", colour);
        if (dashes is not null)
        {
            _xml.WriteAttributeString("stroke-dasharray", dashes);
            _xml.WriteAttributeString("stroke-width", "1.5");
        }
        _xml.WriteEndElement();
    }

    private void Label(double x, double y, string text, string anchor, string cssClass)
    {
        _xml.WriteStartElement("text");
        _xml.WriteAttributeString("class", cssClass);
        Attribute("x", x);
        Attribute("y", y);
        _xml.WriteAttributeString("text-anchor", anchor);
        _xml.WriteAttributeString("fill", "#5b6478");
        _xml.WriteString(text);
        _xml.WriteEndElement();
    }

    private void Attribute(string name, double value) => _xml.WriteAttributeString(name, Pixel(value));

    private void Attribute(string name, string value) => _xml.WriteAttributeString(name, value);

    private static string Pixel(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);
}
