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
    public static void Run(PSCmdlet cmdlet, string target, Action<CancellationToken> write, CancellationToken stopping)
    {
        using var work = new BackgroundWork<object, bool>((_, token) =>
        {
            write(token);
            return true;
        }, stopping);
        try
        {
            work.Drain(_ => { });
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
