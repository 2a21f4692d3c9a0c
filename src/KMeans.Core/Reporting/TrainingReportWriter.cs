using System.Globalization;
using System.Text;
using System.Xml;
using KMeans.Core.Files;
using KMeans.Core.Training;

namespace KMeans.Core.Reporting;

/// <summary>
/// Renders a <see cref="TrainingReport"/> as one self-contained HTML file: inline CSS and SVG, no script, no external
/// resource. The document is also well-formed XML (written by an <see cref="XmlWriter"/>, so every text is escaped),
/// and its size is bounded for any K: the size charts thin and bin the clusters.
/// </summary>
public static class TrainingReportWriter
{
    private const string Xhtml = "http://www.w3.org/1999/xhtml";

    /// <summary>Points drawn of the sorted cluster sizes, and bins of their histogram, at most.</summary>
    internal const int SizeProfilePoints = 400;

    internal const int HistogramBins = 40;

    /// <summary>Input files listed one by one, at most: a training over thousands of shards names the first ones.</summary>
    internal const int ListedInputs = 20;

    /// <summary>Iterations with empty-cluster repairs marked on the reassignment chart, at most.</summary>
    private const int MarkedRepairs = 12;

    // Fallback colours for readers without CSS; the stylesheet's palette overrides them by class.
    private const string LossColour = "#1f6feb";
    private const string ChangeColour = "#b35900";
    private const string TimeColour = "#2e7d32";
    private const string BarColour = "#6f8fcf";
    private const string GuideColour = "#5b6478";
    private const string BoundColour = "#c62828";

    /// <summary>Writes the report to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    public static void Write(TrainingReport report, string path, bool overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        byte[] content = Encoding.UTF8.GetBytes(Render(report));
        AtomicFile.Write(path, overwrite, stream => stream.Write(content), cancellationToken);
    }

    /// <summary>The report as HTML text.</summary>
    public static string Render(TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.ClusterSizes.Count != report.K)
            throw new ArgumentException(
                $"The report has K = {report.K} but {report.ClusterSizes.Count} cluster sizes.", nameof(report));
        report = Printable(report);
        var text = new StringBuilder(64 * 1024);
        var settings = new XmlWriterSettings
        {
            OmitXmlDeclaration = true,
            Indent = true,
            IndentChars = " ",
            NewLineChars = "\n",
            ConformanceLevel = ConformanceLevel.Document,
        };
        using (var xml = XmlWriter.Create(text, settings))
        {
            // XmlWriter spells it "<!DOCTYPE html >"; browsers want the short form for standards mode.
            xml.WriteRaw("<!DOCTYPE html>\n");
            xml.WriteStartElement("html", Xhtml);
            xml.WriteAttributeString("lang", "en");
            WriteHead(xml, report);
            xml.WriteStartElement("body");
            xml.WriteStartElement("main");
            var sizes = new ClusterSizeStatistics(report.ClusterSizes);
            WriteSummary(xml, report, sizes);
            WriteConvergence(xml, report);
            WritePartitions(xml, report, sizes);
            if (report.Levels.Count > 0)
                WriteLevels(xml, report.Levels);
            WriteProvenance(xml, report);
            WriteIterations(xml, report.History);
            WriteFooter(xml, report);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        return text.Append('\n').ToString();
    }

    private static void WriteHead(XmlWriter xml, TrainingReport report)
    {
        xml.WriteStartElement("head");
        Meta(xml, "charset", "utf-8", null);
        Meta(xml, "name", "viewport", "width=device-width, initial-scale=1");
        Meta(xml, "name", "color-scheme", "light dark");
        Element(xml, "title", Invariant($"KMeans training report: K = {report.K}, loss {ReportText.Number(report.Loss)}"));
        xml.WriteStartElement("style");
        xml.WriteString(ReportStyle.Css);
        xml.WriteFullEndElement();
        xml.WriteEndElement();
    }

    private static void Meta(XmlWriter xml, string attribute, string value, string? content)
    {
        xml.WriteStartElement("meta");
        xml.WriteAttributeString(attribute, value);
        if (content is not null)
            xml.WriteAttributeString("content", content);
        xml.WriteEndElement();
    }

    private static void WriteSummary(XmlWriter xml, TrainingReport report, ClusterSizeStatistics sizes)
    {
        xml.WriteStartElement("header");
        Element(xml, "h1", "KMeans training report");
        string convergence = report.Converged
            ? Invariant($"converged after {Iterations(report.Iterations)}")
            : Invariant($"not converged after {Iterations(report.Iterations)}");
        Paragraph(xml, "lede", Invariant(
            $"K = {ReportText.Count(report.K)} · {ReportText.Count(report.Dimension)} dimensions · {report.Distance} · {convergence} · {ReportText.Duration(report.Duration)}"));
        xml.WriteEndElement();

        xml.WriteStartElement("section");
        xml.WriteAttributeString("class", "cards");
        Card(xml, "Loss", ReportText.Number(report.Loss));
        Card(xml, "Iterations", report.Levels.Count > 0
            ? Invariant($"{report.Iterations} (tree)")
            : Invariant($"{report.Iterations} of {report.MaxIterations}"));
        Card(xml, "Converged", report.Converged ? "yes" : "no", report.Converged ? "good" : "bad");
        Card(xml, "Sample rows", ReportText.Count(report.SampleRows));
        Card(xml, "Duration", ReportText.Duration(report.Duration));
        Card(xml, "Largest / mean size", ReportText.Number(sizes.MaxOverMean));
        Card(xml, "Size variation (CV)", ReportText.Number(sizes.CoefficientOfVariation));
        Card(xml, "Empty clusters", ReportText.Count(sizes.Empty), sizes.Empty == 0 ? "good" : "bad");
        xml.WriteEndElement();
    }

    private static void Card(XmlWriter xml, string label, string value, string? tone = null)
    {
        xml.WriteStartElement("div");
        xml.WriteAttributeString("class", "card");
        Span(xml, "label", label);
        Span(xml, tone is null ? "value" : "value " + tone, value);
        xml.WriteEndElement();
    }

    private static void WriteConvergence(XmlWriter xml, TrainingReport report)
    {
        IReadOnlyList<ReportIteration> history = report.History;
        xml.WriteStartElement("section");
        Element(xml, "h2", "Convergence");
        int repairs = history.Sum(i => i.RepairedClusters);
        if (report.Levels.Count > 0)
            Paragraph(xml, null, "Hierarchical training: the charts show the iterations of the root node (or, when there was one, of the refinement over all K centroids); each level of the tree is summarised under Hierarchy.");
        Paragraph(xml, null, repairs == 0
            ? Invariant($"{history.Count} iterations recorded; no empty cluster needed repair.")
            : Invariant($"{history.Count} iterations recorded; {repairs} empty clusters were repaired (re-seeded) in {history.Count(i => i.RepairedClusters > 0)} iterations, first in iteration {history.First(i => i.RepairedClusters > 0).Iteration}."));
        xml.WriteStartElement("div");
        xml.WriteAttributeString("class", "charts");

        ChartScale x = IterationAxis(history);
        bool logLoss = history.Count > 0 && history.All(i => i.Loss > 0 && double.IsFinite(i.Loss));
        ChartScale lossAxis = logLoss
            ? ChartScale.Logarithmic(history.Select(i => i.Loss), SvgChart.PlotBottom, SvgChart.PlotTop)
            : ChartScale.Linear(Min(history.Select(i => i.Loss)), Max(history.Select(i => i.Loss)), SvgChart.PlotBottom, SvgChart.PlotTop);
        Figure(xml, logLoss ? "Loss per iteration (log scale)." : "Loss per iteration (linear scale: some losses are not positive).", () =>
        {
            var chart = new SvgChart(xml, "Loss per iteration", x, lossAxis, "iteration", "loss");
            chart.Polyline("loss", [.. history.Select(i => ((double)i.Iteration, i.Loss))], "loss", LossColour);
            chart.End();
        });

        ChartScale changeAxis = ChartScale.Logarithmic(
            history.Select(i => i.RelativeChange).Append(report.Tolerance), SvgChart.PlotBottom, SvgChart.PlotTop);
        string toleranceNote = report.Tolerance > 0
            ? Invariant($" The dashed line is the tolerance {ReportText.Number(report.Tolerance)}: training stops below it.")
            : " The tolerance is 0: every iteration runs.";
        Figure(xml, "Relative change of the loss per iteration (log scale; 0 is drawn at the bottom)." + toleranceNote, () =>
        {
            var chart = new SvgChart(xml, "Relative change of the loss per iteration", x, changeAxis, "iteration", "relative change");
            if (report.Tolerance > 0)
                chart.HorizontalGuide(report.Tolerance, "tolerance", "tolerance", GuideColour);
            chart.Polyline("relative-change", [.. history.Select(i => ((double)i.Iteration, i.RelativeChange))], "change", ChangeColour);
            chart.End();
        });

        ChartScale movedAxis = ChartScale.Logarithmic(history.Select(i => (double)i.Reassigned), SvgChart.PlotBottom, SvgChart.PlotTop);
        List<ReportIteration> repaired = [.. history.Where(i => i.RepairedClusters > 0)];
        string repairNote = repaired.Count == 0 ? ""
            : repaired.Count <= MarkedRepairs ? " Dashed lines mark the iterations that repaired empty clusters."
            : Invariant($" Dashed lines mark the first {MarkedRepairs} of the {repaired.Count} iterations that repaired empty clusters.");
        Figure(xml, "Sample rows whose centroid changed, per iteration (log scale; 0 is drawn at the bottom)." + repairNote, () =>
        {
            var chart = new SvgChart(xml, "Rows reassigned per iteration", x, movedAxis, "iteration", "rows reassigned");
            foreach (ReportIteration iteration in repaired.Take(MarkedRepairs))
                chart.VerticalGuide(iteration.Iteration, Invariant($"{iteration.RepairedClusters} repaired"), "repair", BoundColour);
            chart.Polyline("reassigned", [.. history.Select(i => ((double)i.Iteration, (double)i.Reassigned))], "loss", LossColour);
            chart.End();
        });

        bool seconds = history.Count > 0 && history.Max(i => i.Elapsed.TotalSeconds) >= 10;
        double Time(ReportIteration i) => seconds ? i.Elapsed.TotalSeconds : i.Elapsed.TotalMilliseconds;
        ChartScale timeAxis = ChartScale.Linear(0, history.Count == 0 ? 1 : history.Max(Time), SvgChart.PlotBottom, SvgChart.PlotTop);
        Figure(xml, Invariant($"Time per iteration, in {(seconds ? "seconds" : "milliseconds")}; total {ReportText.Duration(TimeSpan.FromTicks(history.Sum(i => i.Elapsed.Ticks)))} of {ReportText.Duration(report.Duration)} for the whole run."), () =>
        {
            var chart = new SvgChart(xml, "Time per iteration", x, timeAxis, "iteration", seconds ? "seconds" : "milliseconds");
            chart.Polyline("time", [.. history.Select(i => ((double)i.Iteration, Time(i)))], "time", TimeColour);
            chart.End();
        });
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static string Iterations(int count) => count == 1 ? "1 iteration" : Invariant($"{count} iterations");

    private static ChartScale IterationAxis(IReadOnlyList<ReportIteration> history)
    {
        double first = history.Count == 0 ? 1 : history[0].Iteration;
        double last = history.Count == 0 ? 1 : history[^1].Iteration;
        if (first == last)
            (first, last) = (first - 1, last + 1);
        return ChartScale.Linear(first, last, SvgChart.PlotLeft, SvgChart.PlotRight, tight: true);
    }

    private static void WritePartitions(XmlWriter xml, TrainingReport report, ClusterSizeStatistics sizes)
    {
        xml.WriteStartElement("section");
        Element(xml, "h2", "Partitions");
        var facts = new List<KeyValuePair<string, string>>
        {
            new("Clusters", ReportText.Count(report.K)),
            new("Rows assigned", ReportText.Count((long)sizes.Total)),
            new("Smallest", ReportText.Count(sizes.Min)),
            new("Mean", ReportText.Number(sizes.Mean)),
            new("Largest", ReportText.Count(sizes.Max)),
            new("Largest / mean", ReportText.Number(sizes.MaxOverMean)),
            new("Coefficient of variation", ReportText.Number(sizes.CoefficientOfVariation)),
            new("Empty clusters", ReportText.Count(sizes.Empty)),
        };
        facts.Add(new("Imbalance factor (K·Σ size² / n²)", ReportText.Number(sizes.ImbalanceFactor)));
        if (report.MinClusterSize is long lower)
            facts.Add(new("Balancing: smallest allowed", ReportText.Count(lower)));
        if (report.MaxClusterSize is long upper)
            facts.Add(new("Balancing: largest allowed", ReportText.Count(upper)));
        if (report.DisplacedRows is long displaced)
            facts.Add(new("Balancing: rows displaced", ReportText.Count(displaced)));
        if (report.PricedSizes is var (smallest, largest))
            facts.Add(new("Balancing: sizes when assigned with the prices",
                $"{ReportText.Count(smallest)}–{ReportText.Count(largest)}"));
        Facts(xml, facts);

        xml.WriteStartElement("div");
        xml.WriteAttributeString("class", "charts");
        IReadOnlyList<(int Rank, long Size)> profile = sizes.SortedProfile(SizeProfilePoints);
        long top = Math.Max(sizes.Max, report.MaxClusterSize ?? 0);
        ChartScale rankAxis = ChartScale.Linear(1, Math.Max(2, report.K), SvgChart.PlotLeft, SvgChart.PlotRight, tight: true);
        ChartScale sizeAxis = ChartScale.Linear(0, top, SvgChart.PlotBottom, SvgChart.PlotTop);
        string thinned = profile.Count < report.K ? Invariant($" ({profile.Count} of the {ReportText.Count(report.K)} ranks drawn, the largest and smallest included)") : "";
        Figure(xml, Invariant($"Cluster sizes, largest first{thinned}; the dashed line is the mean {ReportText.Number(sizes.Mean)}."), () =>
        {
            var chart = new SvgChart(xml, "Cluster sizes, largest first", rankAxis, sizeAxis, "rank", "rows");
            chart.HorizontalGuide(sizes.Mean, "mean", "mean", GuideColour);
            if (report.MinClusterSize is long min)
                chart.HorizontalGuide(min, "min bound", "bound", BoundColour);
            if (report.MaxClusterSize is long max)
                chart.HorizontalGuide(max, "max bound", "bound", BoundColour);
            chart.Polyline("sorted-sizes", [.. profile.Select(p => ((double)p.Rank, (double)p.Size))], "loss", LossColour);
            chart.End();
        });

        IReadOnlyList<SizeBin> bins = sizes.Histogram(HistogramBins);
        long lowest = Math.Min(sizes.Min, report.MinClusterSize ?? sizes.Min);
        long highest = Math.Max(bins[^1].To + 1, (report.MaxClusterSize ?? 0) + 1);
        ChartScale binAxis = ChartScale.Linear(lowest, highest, SvgChart.PlotLeft, SvgChart.PlotRight);
        ChartScale countAxis = ChartScale.Linear(0, bins.Max(b => b.Clusters), SvgChart.PlotBottom, SvgChart.PlotTop);
        string binWidth = bins[0].To == bins[0].From ? "one size per bar" : Invariant($"{ReportText.Count(bins[0].To - bins[0].From + 1)} sizes per bar");
        Figure(xml, Invariant($"Clusters per size ({bins.Count} bars, {binWidth}); min {ReportText.Count(sizes.Min)}, mean {ReportText.Number(sizes.Mean)}, max {ReportText.Count(sizes.Max)}."), () =>
        {
            var chart = new SvgChart(xml, "Histogram of cluster sizes", binAxis, countAxis, "rows in a cluster", "clusters");
            chart.Bars("size-histogram", [.. bins.Select(b => ((double)b.From, (double)b.To + 1, (double)b.Clusters))], BarColour);
            chart.VerticalGuide(sizes.Mean, "mean", "mean", GuideColour);
            if (report.MinClusterSize is long min)
                chart.VerticalGuide(min, "min", "bound", BoundColour);
            if (report.MaxClusterSize is long max)
                chart.VerticalGuide(max, "max", "bound", BoundColour);
            chart.End();
        });
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void WriteLevels(XmlWriter xml, IReadOnlyList<HierarchyLevel> levels)
    {
        xml.WriteStartElement("section");
        Element(xml, "h2", "Hierarchy");
        Paragraph(xml, null, "Hierarchical training: one row per depth of the tree. Losses of a level are summed over its nodes, each over its own rows.");
        Table(xml, "levels", ["Level", "Nodes", "Centroids", "Rows", "Most iterations", "Converged nodes", "Loss"],
            levels.Select(l => (IReadOnlyList<string>)[
                Invariant($"{l.Level}"), ReportText.Count(l.Nodes), ReportText.Count(l.Centroids), ReportText.Count(l.Rows),
                Invariant($"{l.MaxIterations}"), $"{ReportText.Count(l.ConvergedNodes)} of {ReportText.Count(l.Nodes)}", ReportText.Number(l.Loss)]));
        xml.WriteEndElement();
    }

    private static void WriteProvenance(XmlWriter xml, TrainingReport report)
    {
        xml.WriteStartElement("section");
        Element(xml, "h2", "Parameters and provenance");
        var facts = new List<KeyValuePair<string, string>>();
        if (report.Inputs.Count == 0)
            facts.Add(new("Input", "not recorded"));
        for (int i = 0; i < Math.Min(report.Inputs.Count, ListedInputs); i++)
            facts.Add(new(report.Inputs.Count == 1 ? "Input" : Invariant($"Input {i + 1}"), report.Inputs[i]));
        if (report.Inputs.Count > ListedInputs)
            facts.Add(new("More inputs", Invariant($"{ReportText.Count(report.Inputs.Count - ListedInputs)} more, {ReportText.Count(report.Inputs.Count)} in all")));
        facts.Add(new("Rows read", ReportText.Count(report.RowsRead)));
        facts.Add(new("Sample rows", ReportText.Count(report.SampleRows)));
        facts.Add(new("Rows skipped (unusable)", ReportText.Count(report.SkippedRows)));
        facts.Add(new("Sample held", report.OnDisk ? "on disk (memory-mapped temporary file)" : "in memory"));
        facts.Add(new("K", ReportText.Count(report.K)));
        facts.Add(new("Dimension", ReportText.Count(report.Dimension)));
        facts.Add(new("Distance", report.Distance));
        facts.Add(new("Max iterations", Invariant($"{report.MaxIterations}")));
        facts.Add(new("Tolerance", ReportText.Number(report.Tolerance)));
        facts.Add(new("Seed", Invariant($"{report.Seed}")));
        facts.AddRange(report.Settings);
        facts.Add(new("Duration", ReportText.Duration(report.Duration)));
        facts.Add(new("Software", report.SoftwareVersion is null ? "KMeans" : "KMeans " + report.SoftwareVersion));
        Facts(xml, facts);
        xml.WriteEndElement();
    }

    private static void WriteIterations(XmlWriter xml, IReadOnlyList<ReportIteration> history)
    {
        xml.WriteStartElement("section");
        Element(xml, "h2", "Iterations");
        xml.WriteStartElement("details");
        if (history.Count <= 30)
            xml.WriteAttributeString("open", "open");
        Element(xml, "summary", Invariant($"All {history.Count} iterations"));
        Table(xml, "iterations", ["Iteration", "Loss", "Relative change", "Reassigned rows", "Repaired clusters", "Imbalance", "Time"],
            history.Select(i => (IReadOnlyList<string>)[
                Invariant($"{i.Iteration}"), ReportText.Number(i.Loss), ReportText.Number(i.RelativeChange),
                ReportText.Count(i.Reassigned), ReportText.Count(i.RepairedClusters), ReportText.Number(i.ImbalanceFactor),
                ReportText.Duration(i.Elapsed)]));
        xml.WriteFullEndElement();
        xml.WriteEndElement();
    }

    private static void WriteFooter(XmlWriter xml, TrainingReport report)
    {
        xml.WriteStartElement("footer");
        string written = report.Created is { } created
            ? " on " + created.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
            : "";
        xml.WriteString(Invariant($"Written by KMeans {report.SoftwareVersion}{written}. No script, no external resource: this file is the whole report."));
        xml.WriteFullEndElement();
    }

    private static void Figure(XmlWriter xml, string caption, Action chart)
    {
        xml.WriteStartElement("figure");
        chart();
        Element(xml, "figcaption", caption);
        xml.WriteEndElement();
    }

    private static void Facts(XmlWriter xml, IEnumerable<KeyValuePair<string, string>> facts)
    {
        xml.WriteStartElement("div");
        xml.WriteAttributeString("class", "scroll");
        xml.WriteStartElement("table");
        xml.WriteAttributeString("class", "facts");
        xml.WriteStartElement("tbody");
        foreach ((string name, string value) in facts)
        {
            xml.WriteStartElement("tr");
            Element(xml, "th", name);
            Element(xml, "td", value);
            xml.WriteEndElement();
        }
        xml.WriteFullEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void Table(XmlWriter xml, string name, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        xml.WriteStartElement("div");
        xml.WriteAttributeString("class", "scroll");
        xml.WriteStartElement("table");
        xml.WriteAttributeString("id", name);
        xml.WriteStartElement("thead");
        xml.WriteStartElement("tr");
        foreach (string header in headers)
            Element(xml, "th", header);
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteStartElement("tbody");
        foreach (IReadOnlyList<string> row in rows)
        {
            xml.WriteStartElement("tr");
            foreach (string cell in row)
                Element(xml, "td", cell);
            xml.WriteEndElement();
        }
        xml.WriteFullEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    /// <summary>An element with text, always closed by an end tag: HTML reads "&lt;td/&gt;" as an unclosed cell.</summary>
    private static void Element(XmlWriter xml, string name, string text)
    {
        xml.WriteStartElement(name);
        xml.WriteString(text);
        xml.WriteFullEndElement();
    }

    private static void Paragraph(XmlWriter xml, string? cssClass, string text)
    {
        xml.WriteStartElement("p");
        if (cssClass is not null)
            xml.WriteAttributeString("class", cssClass);
        xml.WriteString(text);
        xml.WriteFullEndElement();
    }

    private static void Span(XmlWriter xml, string cssClass, string text)
    {
        xml.WriteStartElement("span");
        xml.WriteAttributeString("class", cssClass);
        xml.WriteString(text);
        xml.WriteFullEndElement();
    }

    /// <summary>The report with the texts that come from outside (paths, names) made safe for XML.</summary>
    private static TrainingReport Printable(TrainingReport report) => report with
    {
        Distance = ReportText.Printable(report.Distance),
        Inputs = [.. report.Inputs.Take(ListedInputs).Select(ReportText.Printable), .. report.Inputs.Skip(ListedInputs)],
        Settings = [.. report.Settings.Select(s => new KeyValuePair<string, string>(ReportText.Printable(s.Key), ReportText.Printable(s.Value)))],
        SoftwareVersion = report.SoftwareVersion is null ? null : ReportText.Printable(report.SoftwareVersion),
    };

    private static double Min(IEnumerable<double> values) => values.Where(double.IsFinite).DefaultIfEmpty(0).Min();

    private static double Max(IEnumerable<double> values) => values.Where(double.IsFinite).DefaultIfEmpty(1).Max();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
