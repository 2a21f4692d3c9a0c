#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Centroids saved and read back: Export-KMeansCentroid -> Import-KMeansCentroid in every format, from parameters and
# from the pipeline.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    . (Join-Path $PSScriptRoot 'TestVectors.ps1')
    $script:Vectors = New-BlobVector
    $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 4 -AsModel
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Export then import' {
    It 'round-trips a model through <_>, bit for bit' -ForEach 'c.arrow', 'c.feather', 'c.ipc', 'c.npy', 'c.csv', 'c.json' {
        $path = Join-Path $Scratch $_
        $file = $Model | Export-KMeansCentroids -Path $path
        $file | Should -BeOfType System.IO.FileInfo
        $file.FullName | Should -Be $path
        $imported = Import-KMeansCentroid -Path $path
        $imported | Should -HaveCount 3
        for ($c = 0; $c -lt 3; $c++) {
            $imported[$c] | Should -BeOfType KMeans.PowerShell.KMeansCentroid
            $imported[$c].ClusterId | Should -Be $c
            $imported[$c].Vector | Should -Be $Model.Centroids[$c].Vector
        }
    }

    It 'keeps the cluster sizes in <_>' -ForEach 'sizes.arrow', 'sizes.csv', 'sizes.json' {
        $path = Join-Path $Scratch $_
        $Model | Export-KMeansCentroid -Path $path | Out-Null
        (Import-KMeansCentroid -Path $path).Size | Should -Be $Model.Centroids.Size
    }

    It 'tells unknown sizes from empty partitions: a .npy file gives none, and <_> then records none' -ForEach 'unknown.arrow', 'unknown.csv', 'unknown.json' {
        $npy = $Model | Export-KMeansCentroid -Path (Join-Path $Scratch "$_.npy")
        $fromNpy = Import-KMeansCentroid -LiteralPath $npy.FullName
        $fromNpy.Size | Should -Be @($null, $null, $null)
        "$($fromNpy[0])" | Should -BeLike 'Centroid 0 (size unknown, *'
        $table = ($fromNpy | Out-String -Width 120) -split '\r?\n' | Where-Object { $_ -match '^\s+0\s' }
        $table | Should -Match '^\s+0\s+\d+ \[' -Because 'the Size column of cluster 0 is empty, not 0'
        $path = Join-Path $Scratch $_
        $fromNpy | Export-KMeansCentroid -Path $path | Out-Null
        Get-Content -LiteralPath $path -Raw | Should -Not -Match '"?size"?' -Because 'a size the file never had is not written'
        $again = Import-KMeansCentroid -LiteralPath $path
        $again.Size | Should -Be @($null, $null, $null)
        $again.Vector | Should -Be $Model.Centroids.Vector
    }

    It 'warns that mixing centroids with and without sizes keeps none, and writes none' {
        $npy = $Model | Export-KMeansCentroid -Path (Join-Path $Scratch 'mixed-sizes.npy')
        $mixed = @($Model.Centroids[0..1]) + @(Import-KMeansCentroid -LiteralPath $npy.FullName)[2]
        $path = Join-Path $Scratch 'mixed-sizes.csv'
        $mixed | Export-KMeansCentroid -Path $path -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        "$warnings" | Should -BeLike '1 of the 3 centroids have no size*the known sizes of the other 2 are not kept.'
        (Import-KMeansCentroid -LiteralPath $path).Size | Should -Be @($null, $null, $null)
        $Model.Centroids | Export-KMeansCentroid -Path (Join-Path $Scratch 'all-sizes.csv') -WarningVariable quiet -WarningAction SilentlyContinue | Out-Null
        $quiet | Should -BeNullOrEmpty
    }

    It 'refuses a training report for a model of centroids whose sizes are unknown' {
        $npy = $Model | Export-KMeansCentroid -Path (Join-Path $Scratch 'report-unknown.npy')
        $made = [KMeans.PowerShell.KMeansModel]::new([KMeans.PowerShell.KMeansCentroid[]] @(Import-KMeansCentroid -LiteralPath $npy.FullName), 'L2')
        $target = Join-Path $Scratch 'unknown.html'
        { $made | Export-KMeansReport -Path $target -ErrorAction Stop } |
            Should -Throw -ErrorId 'NotAModel,*' -ExpectedMessage '*do not record theirs*'
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'exports centroids piped one by one like the model they came from' {
        $path = Join-Path $Scratch 'piped.arrow'
        $Model.Centroids | Export-KMeansCentroid -Path $path | Out-Null
        (Import-KMeansCentroid -Path $path).Vector | Should -Be $Model.Centroids.Vector
    }

    It 'exports centroids given whole to -InputObject' {
        $path = Join-Path $Scratch 'whole.json'
        Export-KMeansCentroid -InputObject $Model.Centroids -Path $path | Out-Null
        (Import-KMeansCentroid -Path $path).Count | Should -Be 3
    }

    It 'refuses plain vectors once each, by their place, and writes nothing' {
        $target = Join-Path $Scratch 'plain.json'
        @(, [float[]](1, 2)) + @(, [float[]](3, 4)) | Export-KMeansCentroid -Path $target -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 2
        $problems.Exception.Message | Should -Be @(0, 1 | ForEach-Object { "Centroid $_ is not usable: it is a plain vector, not a KMeansCentroid or a KMeansModel: Export-KMeansCentroid writes what a training or Import-KMeansCentroid gives (New-KMeansSampleData and other tools write vectors)." })
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'names a repeated cluster id by its place in the pipeline, and centroids of another dimension as such' {
        $target = Join-Path $Scratch 'repeated.arrow'
        { @($Model.Centroids) + @($Model.Centroids[0]) | Export-KMeansCentroid -Path $target } |
            Should -Throw -ErrorId 'InvalidCentroid,KMeans.PowerShell.ExportKMeansCentroidCommand' `
                -ExpectedMessage 'Centroid 3 is not usable: the cluster ids must be 0 to 3, each once, but ClusterId 0 is given 2 times.'
        $other = New-BlobVector | ForEach-Object { , [float[]]($_ + $_) } | Invoke-KMeansTraining -K 2 -Seed 4 -AsModel
        { @($Model.Centroids) + @($other.Centroids) | Export-KMeansCentroid -Path $target } |
            Should -Throw -ErrorId 'InvalidCentroid,KMeans.PowerShell.ExportKMeansCentroidCommand' `
                -ExpectedMessage "Centroid 3 is not usable: it has $(2 * $Model.Dimension) values, but centroid 0 has $($Model.Dimension)."
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'refuses a model built in a script with a NaN by its NonFiniteValue error id, and writes nothing' {
        $target = Join-Path $Scratch 'nan.json'
        $built = [KMeans.PowerShell.KMeansModel]::new([KMeans.PowerShell.KMeansCentroid[]]@(
                [KMeans.PowerShell.KMeansCentroid]::new(0, $null, [float[]]([float]::NaN, 1))), 'L2')
        { $built | Export-KMeansCentroid -Path $target } |
            Should -Throw -ErrorId 'NonFiniteValue,KMeans.PowerShell.ExportKMeansCentroidCommand' -ExpectedMessage 'Centroid 0, component 0 is NaN; centroids must be finite.'
        Test-Path -LiteralPath $target | Should -BeFalse
    }

    It 'gives a copy of a centroid''s vector, so that changing it in place leaves the model as trained' {
        $target = Join-Path $Scratch 'unchanged.json'
        $first = $Model.Centroids[0].Vector
        $first[0] = [float]::NaN
        $Model.Centroids[0].Vector[1] = 1e30
        $Model | Export-KMeansCentroid -Path $target
        (Import-KMeansCentroid -Path $target)[0].Vector | Should -Be $Model.Centroids[0].Vector
        [float]::IsNaN($Model.Centroids[0].Vector[0]) | Should -BeFalse
        $Model.Centroids[0].Vector[1] | Should -Not -Be 1e30
        $values = [float[]](1, 2)
        $built = [KMeans.PowerShell.KMeansCentroid]::new(0, $null, $values)
        $values[0] = 9
        $built.Vector | Should -Be @(1, 2)
    }

    It 'writes the format -Format names, whatever the extension' {
        $path = Join-Path $Scratch 'named-by-format.dat'
        $Model | Export-KMeansCentroid -Path $path -Format Npy | Out-Null
        [System.IO.File]::ReadAllBytes($path)[1..5] | Should -Be ([byte[]][char[]]'NUMPY')
    }

    It 'reads back with -Format what -Format wrote under another name, as <_>' -ForEach 'Arrow', 'ArrowStream', 'Npy', 'Csv', 'Json' {
        $path = Join-Path $Scratch "format-$_.dat"
        $Model | Export-KMeansCentroid -Path $path -Format $_ | Out-Null
        $imported = Import-KMeansCentroid -LiteralPath $path -Format $_
        $imported | Should -HaveCount 3
        for ($c = 0; $c -lt 3; $c++) {
            $imported[$c].Vector | Should -Be $Model.Centroids[$c].Vector
        }
    }

    It 'says to give -Format for a file whose extension names no format' {
        $path = Join-Path $Scratch 'unnamed.dat'
        $Model | Export-KMeansCentroid -Path $path -Format Npy | Out-Null
        Import-KMeansCentroid -LiteralPath $path -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be 'UnsupportedFile,KMeans.PowerShell.ImportKMeansCentroidCommand'
        $problems[0].ToString() | Should -BeLike "*has the extension '.dat'*Give -Format (Arrow, Npy, Csv, Json, ArrowStream)*"
    }

    It 'imports the file an object names in its Path property, as an Import-Csv row gives it' {
        $path = Join-Path $Scratch 'by-property.npy'
        $Model | Export-KMeansCentroid -Path $path | Out-Null
        $imported = [pscustomobject]@{ Path = $path } | Import-KMeansCentroid
        $imported.Count | Should -Be $Model.K
    }

    It 'imports the files piped from Get-ChildItem' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'many')
        $Model | Export-KMeansCentroid -Path (Join-Path $folder 'a.arrow') | Out-Null
        $Model | Export-KMeansCentroid -Path (Join-Path $folder 'b.json') | Out-Null
        $imported = Get-ChildItem -LiteralPath $folder.FullName | Import-KMeansCentroid
        $imported | Should -HaveCount 6
    }

    It 'imports every match of a wildcard, and a name with brackets through -LiteralPath' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'wild')
        $Model | Export-KMeansCentroid -LiteralPath (Join-Path $folder 'run[1].arrow') | Out-Null
        $Model | Export-KMeansCentroid -LiteralPath (Join-Path $folder 'run[2].arrow') | Out-Null
        (Import-KMeansCentroid -Path (Join-Path $folder 'run*.arrow')) | Should -HaveCount 6
        (Import-KMeansCentroid -LiteralPath (Join-Path $folder 'run[1].arrow')) | Should -HaveCount 3
    }

    It 'reads the file a FileInfo names to -Centroid and -InitialCentroid, brackets in its name and all' {
        $file = $Model | Export-KMeansCentroid -LiteralPath (Join-Path $Scratch 'model[1].arrow')
        $file | Should -BeOfType System.IO.FileInfo
        $assigned = $Vectors[0..9] | Get-KMeansAssignment -Centroid $file
        $assigned.ClusterId | Should -Be ($Vectors[0..9] | Get-KMeansAssignment -Centroid $Model).ClusterId
        $resumed = $Vectors | Invoke-KMeansTraining -K 3 -InitialCentroid (Get-Item -LiteralPath $file.FullName) -MaxIterations 1
        $resumed | Should -HaveCount 3
    }

    It 'takes a PathInfo from Resolve-Path as the file it names: piped to training and assignment, and as -Centroid and -InitialCentroid' {
        # Resolve-Path's PathInfo had been read as a vector without a Vector property (InvalidVectorInput) or refused
        # as centroids (InvalidCentroid).
        $centroids = Resolve-Path -LiteralPath ($Model | Export-KMeansCentroid -LiteralPath (Join-Path $Scratch 'resolved[1].arrow')).FullName
        $centroids | Should -BeOfType System.Management.Automation.PathInfo
        $data = New-KMeansSampleData -Path (Join-Path $Scratch 'resolved.npy') -Rows 300 -Dimension $Model.Dimension -Clusters 3 -Seed 2
        $resolved = Resolve-Path -LiteralPath $data.FullName

        ($resolved | Invoke-KMeansTraining -K 3 -Seed 1 -AsModel).Loss | Should -Be (Invoke-KMeansTraining -LiteralPath $data.FullName -K 3 -Seed 1 -AsModel).Loss
        ($resolved | Get-KMeansAssignment -Centroid $centroids).ClusterId | Should -Be (Get-KMeansAssignment -LiteralPath $data.FullName -Centroid $Model).ClusterId
        (Invoke-KMeansTraining -LiteralPath $data.FullName -K 3 -InitialCentroid $centroids -MaxIterations 1 -AsModel).K | Should -Be 3
    }

    It 'reads a path string naming a file with brackets as that file, and takes a wildcard that matches one file' {
        # As a wildcard, 'paths[1].arrow' matched no file: FileNotFound for a file that exists.
        $folder = New-Item -ItemType Directory -Path (Join-Path $Scratch 'literal-centroids')
        $named = ($Model | Export-KMeansCentroid -LiteralPath (Join-Path $folder 'paths[1].arrow')).FullName
        $expected = ($Vectors[0..9] | Get-KMeansAssignment -Centroid $Model).ClusterId
        ($Vectors[0..9] | Get-KMeansAssignment -Centroid $named).ClusterId | Should -Be $expected
        ($Vectors[0..9] | Get-KMeansAssignment -Centroid (Join-Path $folder 'paths*.arrow')).ClusterId | Should -Be $expected
        $Vectors | Invoke-KMeansTraining -K 3 -InitialCentroid $named -MaxIterations 1 | Should -HaveCount 3
    }

    It 'records the distance of a model, which assignment from the file then uses' {
        $cosine = $Vectors | Invoke-KMeansTraining -K 3 -Seed 4 -Distance Cosine -AsModel
        $path = Join-Path $Scratch 'cosine.arrow'
        $cosine | Export-KMeansCentroid -Path $path | Out-Null
        $fromFile = $Vectors[0..9] | Get-KMeansAssignment -Centroid $path
        $fromModel = $Vectors[0..9] | Get-KMeansAssignment -Centroid $cosine
        $fromFile.Distance | Should -Be $fromModel.Distance
    }
}
