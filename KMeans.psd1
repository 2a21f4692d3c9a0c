# The KMeans module manifest. In the repository ModuleVersion is a placeholder: the build stamps it from VersionPrefix in
# Directory.Build.props (the single version source) into the importable module under out/KMeans/<version>/.
@{
    RootModule           = 'KMeans.PowerShell.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '6f0c1d8e-4b7a-4f55-9c3e-2a9d7e51b3c4'
    Author               = 'KMeans contributors'
    CompanyName          = 'KMeans contributors'
    Copyright            = '(c) KMeans contributors. MIT License.'
    Description          = 'Trains k-means centroids over embedding vectors (the IVF partitions of a vector index), with the training sample in memory or in a memory-mapped temporary file.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('KMeans.format.ps1xml')
    TypesToProcess       = @('KMeans.types.ps1xml')
    CmdletsToExport      = @(
        'Export-KMeansCentroid'
        'Export-KMeansReport'
        'Get-KMeansAssignment'
        'Get-KMeansDiskEstimate'
        'Import-KMeansCentroid'
        'Invoke-KMeansTraining'
        'New-KMeansSampleData'
    )
    AliasesToExport      = @(
        'Export-KMeansCentroids'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('kmeans', 'clustering', 'embeddings', 'vector-index', 'ivf')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
