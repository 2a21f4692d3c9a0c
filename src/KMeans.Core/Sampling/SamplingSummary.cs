namespace KMeans.Core.Sampling;

/// <summary>What building the sample read, kept and dropped.</summary>
public sealed record SamplingSummary(long RowsRead, long RowsSampled, long NullRowsSkipped, long NonFiniteRowsSkipped);
