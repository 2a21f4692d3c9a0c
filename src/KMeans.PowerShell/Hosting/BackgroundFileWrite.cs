using System.Management.Automation;
using KMeans.Core;
using KMeans.PowerShell.Errors;

namespace KMeans.PowerShell.Hosting;

/// <summary>
/// Runs a file write on a worker task for a writer cmdlet: Ctrl+C (the cmdlet's stop token) cancels it between chunks
/// and stops the pipeline, and an engine error becomes a terminating ErrorRecord whose target is the file.
/// </summary>
internal static class BackgroundFileWrite
{
    public static void Run(PSCmdlet cmdlet, string target, Action<CancellationToken> write, CancellationToken stopping) =>
        Run<object>(cmdlet, target, (_, token) => write(token), stopping, _ => { });

    /// <summary>A write that reports its progress: <paramref name="onReport"/> gets each report on the pipeline thread.</summary>
    public static void Run<TReport>(PSCmdlet cmdlet, string target, Action<IProgress<TReport>, CancellationToken> write,
        CancellationToken stopping, Action<TReport> onReport)
    {
        using var work = new BackgroundWork<TReport, bool>((progress, token) =>
        {
            write(progress, token);
            return true;
        }, stopping);
        try
        {
            work.Drain(onReport);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KMeansException e)
        {
            cmdlet.ThrowTerminatingError(KMeansErrors.FromException(e, target));
        }
    }
}
