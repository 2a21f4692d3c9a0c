using System.Globalization;

namespace KMeans.Bench;

/// <summary>
/// How much of the machine other processes used while something was measured: /proc/stat counts every process on
/// the machine (other containers included), /proc/self/stat only this one, so the difference over an interval is
/// what competed with the benchmark. 0 means the figures are clean; 0.5 on 2 cores means one core's worth of others.
/// </summary>
internal readonly record struct CpuContention(long MachineBusyTicks, long MachineTotalTicks, long OwnTicks)
{
    public static CpuContention Now()
    {
        try
        {
            string[] machine = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...: steal is time the hypervisor gave to others.
            long[] ticks = machine.Skip(1).Take(8).Select(Parse).ToArray();
            long total = ticks.Sum();
            long busy = total - ticks[3] - ticks[4];
            string self = File.ReadAllText("/proc/self/stat");
            string[] fields = self[(self.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ", field 3 (state) is index 0, so utime (14) and stime (15) are indices 11 and 12.
            long own = Parse(fields[11]) + Parse(fields[12]);
            return new CpuContention(busy, total, own);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return default;
        }
    }

    /// <summary>Share of all cores' time that other processes used since <paramref name="start"/> (NaN without /proc).</summary>
    public double OthersShareSince(CpuContention start) => Since(start).OthersShare;

    /// <summary>The ticks of the interval from <paramref name="start"/> to this snapshot.</summary>
    public CpuContention Since(CpuContention start) =>
        new(MachineBusyTicks - start.MachineBusyTicks, MachineTotalTicks - start.MachineTotalTicks, OwnTicks - start.OwnTicks);

    /// <summary>Two intervals' ticks together: the timed parts of a run, leaving out work it started between them.</summary>
    public CpuContention Plus(CpuContention interval) =>
        new(MachineBusyTicks + interval.MachineBusyTicks, MachineTotalTicks + interval.MachineTotalTicks, OwnTicks + interval.OwnTicks);

    /// <summary>Of an interval's ticks, the share of all cores' time that other processes used (NaN without /proc).</summary>
    public double OthersShare => MachineTotalTicks <= 0
        ? double.NaN
        : Math.Clamp((double)(MachineBusyTicks - OwnTicks) / MachineTotalTicks, 0, 1);

    private static long Parse(string value) => long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
