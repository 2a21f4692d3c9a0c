using KMeans.Core.Training;
using KMeans.Core.Training.Balancing;

namespace KMeans.Bench;

/// <summary>
/// The balance history of trained models, one line per pass: how the largest partition came down, how many rows each
/// pass moved and how many the final repair displaced (rows the prices do not send where the sample's bounds put them).
/// </summary>
internal sealed class BalancePassTable
{
    private readonly TextTable _table = new("data", "max ratio", "pass", "s", "max/mean", "largest − bound", "reassigned",
        "displaced", "loss");

    public void Add(string data, KMeansResult model, double maxSizeRatio)
    {
        long bound = SizeBounds.For(model.SampleRows, model.K, maxSizeRatio, null).Max;
        foreach (BalanceReport pass in model.BalanceHistory)
        {
            _table.Add(data, $"{maxSizeRatio:0.0}", $"{pass.Pass}", $"{pass.Elapsed.TotalSeconds:F4}", $"{pass.Sizes.MaxOverMean:F2}",
                $"{pass.Sizes.Max - bound}", $"{pass.Reassigned:N0}", $"{pass.Displaced:N0}", $"{pass.Loss:G6}");
        }
    }

    public void Write(TextWriter writer) => _table.Write(writer);
}
