using System.Globalization;
using System.Xml.Linq;
using KMeans.Core.Reporting;
using KMeans.Core.Training;

namespace KMeans.Core.Tests.Reporting;

public class TrainingReportWriterTests
{
    private static readonly XNamespace Html = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const int TwoMegabytes = 2 << 20;

    /// <summary>A report whose numbers follow a plausible run: a loss falling geometrically, sizes spread around n/K.</summary>
    internal static TrainingReport Report(int iterations, int k, int seed = 1)
    {
        var random = new Random(seed);
        var history = new List<ReportIteration>();
        double loss = 1000;
        for (int i = 1; i <= iterations; i++)
        {
            double next = loss * (0.5 + 0.4 * random.NextDouble());
            history.Add(new ReportIteration(i, next, Math.Abs(loss - next) / next, i == 2 ? 3 : 0, random.Next(0, 5000),
                1 + random.NextDouble(), TimeSpan.FromMilliseconds(5 + random.Next(0, 50))));
            loss = next;
        }
        long[] sizes = [.. Enumerable.Range(0, k).Select(_ => (long)random.Next(0, 512))];
        return new TrainingReport
        {
            K = k,
            Dimension = 64,
            Distance = "L2",
            Loss = loss,
            Iterations = iterations,
            Converged = iterations < 100,
            Inputs = ["/data/part-0.arrow", "/data/part-1.arrow"],
            RowsRead = 10_000_000,
            SampleRows = sizes.Sum(),
            OnDisk = true,
            Seed = 42,
            Tolerance = 1e-4,
            MaxIterations = 100,
            SoftwareVersion = "0.1.0",
            Duration = TimeSpan.FromSeconds(93.5),
            Settings = [new("Init", "KMeansParallel"), new("Sample rate", "256")],
            History = history,
            ClusterSizes = sizes,
        };
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 8)]
    [InlineData(100, 16)]
    [InlineData(25, 2)]
    [InlineData(40, 65_536)]
    public void IsWellFormedSmallAndHoldsEverySeriesAndNumber(int iterations, int k)
    {
        TrainingReport report = Report(iterations, k);

        string text = TrainingReportWriter.Render(report);
        XDocument document = XDocument.Parse(text);

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(text) <= TwoMegabytes, $"{text.Length} characters");
        Assert.StartsWith("<!DOCTYPE html>", text);
        Assert.DoesNotContain(document.Descendants(), e => e.Name.LocalName is "script" or "link" or "img" or "iframe");
        Assert.DoesNotContain("http://", text.Replace("http://www.w3.org/", ""));
        foreach (string series in new[] { "loss", "relative-change", "reassigned", "time" })
            Assert.Equal(iterations, Points(document, series).Count);
        IReadOnlyList<(double X, double Y)> loss = Points(document, "loss");
        for (int i = 1; i < loss.Count; i++)
            Assert.True(loss[i].X > loss[i - 1].X, $"iteration {i + 1} is not right of iteration {i}");

        XElement[] rows = [.. Table(document, "iterations")];
        Assert.Equal(iterations, rows.Length);
        for (int i = 0; i < iterations; i++)
        {
            string[] cells = [.. rows[i].Elements(Html + "td").Select(c => c.Value)];
            Assert.Equal(report.History[i].Iteration.ToString(CultureInfo.InvariantCulture), cells[0]);
            Assert.Equal(report.History[i].Loss.ToString("G6", CultureInfo.InvariantCulture), cells[1]);
            Assert.Equal(report.History[i].RelativeChange.ToString("G6", CultureInfo.InvariantCulture), cells[2]);
        }

        string body = document.Root!.Value;
        Assert.Contains(report.Loss.ToString("G6", CultureInfo.InvariantCulture), body);
        Assert.Contains(k.ToString("N0", CultureInfo.InvariantCulture), body);
        Assert.Contains("/data/part-1.arrow", body);
        Assert.Contains("KMeansParallel", body);
        Assert.Contains("0.1.0", body);
        Assert.Contains(report.ClusterSizes.Max().ToString("N0", CultureInfo.InvariantCulture), Fact(document, "Largest"));
        Assert.Contains(report.ClusterSizes.Min().ToString("N0", CultureInfo.InvariantCulture), Fact(document, "Smallest"));
    }

    [Fact]
    public void LargeKIsThinnedAndBinnedNotDrawnClusterByCluster()
    {
        TrainingReport report = Report(10, 65_536);

        XDocument document = XDocument.Parse(TrainingReportWriter.Render(report));

        IReadOnlyList<(double X, double Y)> profile = Points(document, "sorted-sizes");
        Assert.Equal(TrainingReportWriter.SizeProfilePoints, profile.Count);
        XElement histogram = Series(document, "size-histogram");
        int bars = histogram.Elements(Svg + "rect").Count();
        Assert.InRange(bars, 2, TrainingReportWriter.HistogramBins);
        // The largest cluster is drawn first and the smallest last: the highest and lowest points of the profile.
        Assert.Equal(profile.Min(p => p.Y), profile[0].Y);
        Assert.Equal(profile.Max(p => p.Y), profile[^1].Y);
    }

    [Fact]
    public void EveryTextIsEscaped()
    {
        const string path = "/tmp/<script>alert(1)</script> & \"quoted\" 'x'.arrow";
        TrainingReport report = Report(3, 4) with { Inputs = [path], Settings = [new("<b>", "&amp;")] };

        string text = TrainingReportWriter.Render(report);
        XDocument document = XDocument.Parse(text);

        Assert.Empty(document.Descendants(Html + "script"));
        Assert.Empty(document.Descendants(Html + "b"));
        Assert.Equal(path, Fact(document, "Input"));
        Assert.Equal("&amp;", Fact(document, "<b>"));
        Assert.Contains("&lt;script&gt;", text);
    }

    [Fact]
    public void CharactersXmlCannotHoldAreReplacedNotFatal()
    {
        // Linux file names may hold control characters and bytes that decode to unpaired surrogates.
        TrainingReport report = Report(2, 4) with { Inputs = ["/data/a\u0001b\uD800c\uD83D\uDE00.npy"] };

        XDocument document = XDocument.Parse(TrainingReportWriter.Render(report));

        Assert.Equal("/data/a\uFFFDb\uFFFDc\uD83D\uDE00.npy", Fact(document, "Input"));
    }

    [Fact]
    public void ThousandsOfInputFilesAreCountedNotListed()
    {
        TrainingReport report = Report(2, 4) with { Inputs = [.. Enumerable.Range(0, 5000).Select(i => $"/data/shard-{i:D5}.parquet")] };

        XDocument document = XDocument.Parse(TrainingReportWriter.Render(report));

        Assert.Equal("/data/shard-00000.parquet", Fact(document, "Input 1"));
        Assert.Equal("/data/shard-00019.parquet", Fact(document, $"Input {TrainingReportWriter.ListedInputs}"));
        Assert.DoesNotContain("shard-00020", document.Root!.Value);
        Assert.Equal("4,980 more, 5,000 in all", Fact(document, "More inputs"));
    }

    [Fact]
    public void BalancingBoundsAreDrawnOnlyWhenTheModelHasThem()
    {
        TrainingReport plain = Report(5, 32);
        TrainingReport balanced = plain with
        {
            MinClusterSize = 100, MaxClusterSize = 600, DisplacedRows = 1234, PricedSizes = (87, 612),
        };

        XDocument without = XDocument.Parse(TrainingReportWriter.Render(plain));
        XDocument with = XDocument.Parse(TrainingReportWriter.Render(balanced));

        Assert.Empty(BoundLines(without));
        // A min and a max line on the sorted sizes and on the histogram.
        Assert.Equal(4, BoundLines(with).Count);
        Assert.Equal("600", Fact(with, "Balancing: largest allowed"));
        Assert.Equal("100", Fact(with, "Balancing: smallest allowed"));
        Assert.Equal("1,234", Fact(with, "Balancing: rows displaced"));
        Assert.Equal("87–612", Fact(with, "Balancing: sizes when assigned with the prices"));
        Assert.DoesNotContain("Balancing", without.Root!.Value);
    }

    [Fact]
    public void HierarchicalRunsGetOneRowPerLevel()
    {
        TrainingReport report = Report(5, 300) with
        {
            Levels = [new HierarchyLevel(1, 1, 16, 76_800, 12, 1, 5e6), new HierarchyLevel(2, 16, 300, 76_800, 31, 15, 2.5e6)],
        };

        XDocument document = XDocument.Parse(TrainingReportWriter.Render(report));

        XElement[] rows = [.. Table(document, "levels")];
        Assert.Equal(2, rows.Length);
        Assert.Equal(["2", "16", "300", "76,800", "31", "15 of 16", "2.5E+06"], rows[1].Elements(Html + "td").Select(c => c.Value));
        Assert.Empty(Table(XDocument.Parse(TrainingReportWriter.Render(report with { Levels = [] })), "levels"));
    }

    [Fact]
    public void ToleranceLineIsDrawnAtTheToleranceAndAbsentWhenItIsZero()
    {
        TrainingReport report = Report(20, 8);

        XDocument document = XDocument.Parse(TrainingReportWriter.Render(report));
        XDocument noTolerance = XDocument.Parse(TrainingReportWriter.Render(report with { Tolerance = 0 }));

        Assert.Single(document.Descendants(Svg + "line"), IsToleranceLine);
        Assert.DoesNotContain(noTolerance.Descendants(Svg + "line"), IsToleranceLine);
    }

    [Fact]
    public void NonPositiveLossesFallBackToALinearAxisAndKeepEveryPoint()
    {
        TrainingReport report = Report(6, 4);
        // Dot-product losses can be negative; a relative change of 0 cannot sit on a log axis.
        TrainingReport negative = report with
        {
            History = [.. report.History.Select(i => i with { Loss = -i.Loss, RelativeChange = i.Iteration == 6 ? 0 : i.RelativeChange })],
        };

        XDocument document = XDocument.Parse(TrainingReportWriter.Render(negative));

        Assert.Equal(6, Points(document, "loss").Count);
        Assert.Equal(6, Points(document, "relative-change").Count);
        Assert.Contains(document.Descendants(Html + "figcaption"), c => c.Value.Contains("linear scale"));
        Assert.Equal(SvgChart.PlotBottom, Points(document, "relative-change")[^1].Y);
    }

    [Fact]
    public void IterationsThatRepairedEmptyClustersAreMarkedAndCounted()
    {
        TrainingReport report = Report(8, 16);
        // Report() repairs 3 clusters in iteration 2; add 1 in iteration 5.
        report = report with { History = [.. report.History.Select(i => i.Iteration == 5 ? i with { RepairedClusters = 1 } : i)] };

        XDocument document = XDocument.Parse(TrainingReportWriter.Render(report));

        List<XElement> marks = [.. document.Descendants(Svg + "line").Where(l => ((string?)l.Attribute("class"))?.Contains("repair") == true)];
        Assert.Equal(2, marks.Count);
        Assert.Contains(document.Descendants(Html + "p"), p => p.Value.Contains("4 empty clusters were repaired (re-seeded) in 2 iterations, first in iteration 2"));
        string[] repairedColumn = [.. Table(document, "iterations").Select(r => r.Elements(Html + "td").ElementAt(4).Value)];
        Assert.Equal(["0", "3", "0", "0", "1", "0", "0", "0"], repairedColumn);
    }

    [Fact]
    public void RejectsSizesThatDoNotMatchK()
    {
        Assert.Throws<ArgumentException>(() => TrainingReportWriter.Render(Report(2, 4) with { K = 5 }));
    }

    [Fact]
    public void WriteIsAtomicAndRefusesToReplaceWithoutOverwrite()
    {
        using var temp = new TempDirectory();
        string path = temp.File("report.html");
        File.WriteAllText(path, "previous");

        var refused = Assert.Throws<KMeansException>(() => TrainingReportWriter.Write(Report(2, 4), path, overwrite: false));
        Assert.Equal(KMeansErrorKind.FileExists, refused.Kind);
        Assert.Equal("previous", File.ReadAllText(path));

        TrainingReportWriter.Write(Report(2, 4), path, overwrite: true);
        XDocument.Parse(File.ReadAllText(path));
        Assert.Equal(["report.html"], temp.FileNames());

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        string before = File.ReadAllText(path);
        Assert.Throws<OperationCanceledException>(() => TrainingReportWriter.Write(Report(3, 4), path, overwrite: true, cancelled.Token));
        Assert.Equal(before, File.ReadAllText(path));
        Assert.Equal(["report.html"], temp.FileNames());
    }

    [Fact]
    public void WriteIntoAMissingDirectoryNamesIt()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "missing", "report.html");

        var error = Assert.Throws<KMeansException>(() => TrainingReportWriter.Write(Report(2, 4), path, overwrite: false));

        Assert.Equal(KMeansErrorKind.FileNotFound, error.Kind);
        Assert.Contains(Path.Combine(temp.Path, "missing"), error.Message);
    }

    private static bool IsToleranceLine(XElement line) => ((string?)line.Attribute("class"))?.Contains("tolerance") == true;

    private static XElement Series(XDocument document, string series) =>
        document.Descendants().Single(e => (string?)e.Attribute("data-series") == series);

    internal static IReadOnlyList<(double X, double Y)> Points(XDocument document, string series) =>
        [.. ((string)Series(document, series).Attribute("points")!)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(point => point.Split(','))
            .Select(xy => (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)))];

    private static IEnumerable<XElement> Table(XDocument document, string id) =>
        document.Descendants(Html + "table").Where(t => (string?)t.Attribute("id") == id)
            .SelectMany(t => t.Elements(Html + "tbody").Elements(Html + "tr"));

    private static string Fact(XDocument document, string name) =>
        document.Descendants(Html + "tr").Single(r => r.Element(Html + "th")?.Value == name).Element(Html + "td")!.Value;

    private static List<XElement> BoundLines(XDocument document) =>
        [.. document.Descendants(Svg + "line").Where(l => ((string?)l.Attribute("class"))?.Contains("bound") == true)];
}
