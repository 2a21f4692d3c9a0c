#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What scripts get when they hand the module's objects to PowerShell's own serializers.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $random = [System.Random]::new(3)
    $script:Vectors = foreach ($i in 0..299) {
        $centre = ($i % 3) * 20 + 1
        , [float[]]@(0..3 | ForEach-Object { $centre + $random.NextDouble() })
    }
    $script:Model = $Vectors | Invoke-KMeansTraining -K 3 -Seed 1 -Distance Cosine -AsModel
}

AfterAll {
    Remove-Module KMeans -ErrorAction Ignore
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'ConvertTo-Json' {
    It 'names the metric of a model and of each centroid, not its number' {
        $json = $Model | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | ConvertFrom-Json
        $json.Distance | Should -Be 'Cosine'
        $json.Centroids.Distance | Should -Be 'Cosine', 'Cosine', 'Cosine'
    }

    It 'names the storage recommendation of an estimate' {
        $json = Get-KMeansDiskEstimate -K 16 -Dimension 8 | ConvertTo-Json | ConvertFrom-Json
        $json.Recommendation | Should -BeIn 'InMemory', 'OnDisk'
    }

    It 'writes every duration as one number of seconds' {
        $json = $Model | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | ConvertFrom-Json
        $json.DurationSeconds | Should -BeOfType [double]
        $json.DurationSeconds | Should -Be $Model.DurationSeconds
        $json.DurationSeconds | Should -BeGreaterThan 0
        $json.History.Count | Should -Be $Model.Iterations
        $json.History.ElapsedSeconds | Should -Be $Model.History.ElapsedSeconds
        $json.History[0].PSObject.Properties.Name | Should -Not -Contain 'Ticks'
    }

    It 'writes the predicted times of a calibrated estimate as seconds' {
        $estimate = Get-KMeansDiskEstimate -K 1024 -Dimension 16 -Calibrate
        $json = $estimate | ConvertTo-Json | ConvertFrom-Json
        $json.FlatIterationSeconds | Should -Be $estimate.FlatIterationSeconds
        $json.HierarchicalTrainingSeconds | Should -BeGreaterThan 0
    }
}

Describe 'ConvertFrom-Json' {
    It 'takes centroids that went through JSON at the place their ClusterId names, with their metric and prices' {
        $data = Join-Path $Scratch 'json-blobs.npy'
        New-KMeansSampleData -Path $data -Rows 3000 -Dimension 8 -Clusters 6 -Seed 1 | Out-Null
        $balanced = Invoke-KMeansTraining $data -K 5 -Seed 3 -MaxSizeRatio 1.05 -Distance Cosine -WarningAction SilentlyContinue
        $viaJson = $balanced | Sort-Object Size -Descending | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $live = Get-KMeansAssignment $data -Centroid $balanced -Summary | ForEach-Object Count
        $json = Get-KMeansAssignment $data -Centroid $viaJson -Summary | ForEach-Object Count
        $json -join ',' | Should -Be ($live -join ',')
        (Get-KMeansAssignment $data -Centroid $viaJson | Select-Object -First 3).Distance |
            Should -Be (Get-KMeansAssignment $data -Centroid $balanced | Select-Object -First 3).Distance
    }

    It 'takes a whole model that went through JSON as its centroids, with their metric and prices' {
        $data = Join-Path $Scratch 'json-model.npy'
        New-KMeansSampleData -Path $data -Rows 3000 -Dimension 8 -Clusters 6 -Seed 2 | Out-Null
        $model = Invoke-KMeansTraining $data -K 5 -Seed 3 -MaxSizeRatio 1.05 -Distance Cosine -AsModel -WarningAction SilentlyContinue
        $viaJson = $model | ConvertTo-Json -Depth 8 -WarningAction SilentlyContinue | ConvertFrom-Json
        $live = Get-KMeansAssignment $data -Centroid $model
        $json = Get-KMeansAssignment $data -Centroid $viaJson
        $json.ClusterId | Should -Be $live.ClusterId
        $json.Distance | Should -Be $live.Distance
    }

    It 'takes a number in Distance for a row''s distance, not a metric, and names the centroid whose metric conflicts' {
        $centroids = @(
            [pscustomobject]@{ ClusterId = 0; Vector = [float[]](1, 0); Distance = 1.0 }
            [pscustomobject]@{ ClusterId = 1; Vector = [float[]](0, 1); Distance = 2.0 }
        )
        (@(, [float[]](3, 0)) | Get-KMeansAssignment -Centroid $centroids).Distance | Should -Be 4
        $conflicting = @(
            [pscustomobject]@{ ClusterId = 0; Vector = [float[]](1, 0); Distance = 'L2' }
            [pscustomobject]@{ ClusterId = 1; Vector = [float[]](0, 1); Distance = 'Cosine' }
        )
        { @(, [float[]](3, 0)) | Get-KMeansAssignment -Centroid $conflicting -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCentroid,*' -ExpectedMessage 'Centroid 1 is not usable: it was trained with Cosine*'
    }
}

Describe 'Measure-Object' {
    It 'sums the iteration times of a model to no more than its duration' {
        $sum = ($Model.History | Measure-Object ElapsedSeconds -Sum).Sum
        $sum | Should -BeGreaterThan 0
        $sum | Should -BeLessOrEqual $Model.DurationSeconds
    }
}

Describe 'Export-Clixml, Start-Job and remoting' {
    BeforeAll {
        $script:Data = Join-Path $Scratch 'blobs.npy'
        $script:Other = Join-Path $Scratch 'other.npy'
        New-KMeansSampleData -Path $Data -Rows 4000 -Dimension 8 -Clusters 6 -Seed 1 | Out-Null
        New-KMeansSampleData -Path $Other -Rows 4000 -Dimension 8 -Clusters 6 -Seed 2 | Out-Null
        function script:RoundTrip($InputObject) {
            $path = Join-Path $Scratch "$([guid]::NewGuid().ToString('N')).xml"
            $InputObject | Export-Clixml -LiteralPath $path
            Import-Clixml -LiteralPath $path
        }
    }

    It 'gives back live centroids that keep their cluster ids in any order, their metric and their prices' {
        $sorted = Invoke-KMeansTraining $Data -K 6 -Seed 3 | Sort-Object Size -Descending
        $back = RoundTrip $sorted
        $back[0] | Should -BeOfType KMeans.PowerShell.KMeansCentroid
        $back.ClusterId | Should -Be $sorted.ClusterId
        (Get-KMeansAssignment $Other -Centroid $back).ClusterId | Should -Be (Get-KMeansAssignment $Other -Centroid $sorted).ClusterId

        $cosine = Invoke-KMeansTraining $Data -K 6 -Seed 3 -Distance Cosine
        $first = Get-KMeansAssignment $Other -Centroid (RoundTrip $cosine) | Select-Object -First 5
        $first.Distance | Should -Be (Get-KMeansAssignment $Other -Centroid $cosine | Select-Object -First 5).Distance

        $balanced = Invoke-KMeansTraining $Data -K 5 -Seed 3 -MaxSizeRatio 1.05 -WarningAction SilentlyContinue
        $priced = (Get-KMeansAssignment $Data -Centroid $balanced -Summary | ForEach-Object Count) -join ','
        $priced | Should -Not -Be ((Get-KMeansAssignment $Data -Centroid $balanced -IgnorePrice -Summary | ForEach-Object Count) -join ',')
        (Get-KMeansAssignment $Data -Centroid (RoundTrip $balanced) -Summary | ForEach-Object Count) -join ',' | Should -Be $priced
    }

    It 'gives back a live model with its centroids, history and balancing, which every cmdlet takes' {
        $model = Invoke-KMeansTraining $Data -K 6 -Seed 3 -MaxSizeRatio 1.2 -AsModel -WarningAction SilentlyContinue
        $back = RoundTrip $model
        $back | Should -BeOfType KMeans.PowerShell.KMeansModel
        $back.Centroids.Vector | Should -Be $model.Centroids.Vector
        $back.Centroids.Price | Should -Be $model.Centroids.Price
        $back.History.Loss | Should -Be $model.History.Loss
        $back.BalanceHistory.Sizes.MaxOverMean | Should -Be $model.BalanceHistory.Sizes.MaxOverMean
        ($back | Select-Object * -ExcludeProperty Centroids, History, BalanceHistory, Levels, PartitionSizes, PricedPartitionSizes |
            ConvertTo-Json) | Should -Be ($model | Select-Object * -ExcludeProperty Centroids, History, BalanceHistory, Levels, PartitionSizes, PricedPartitionSizes |
                ConvertTo-Json)
        $fromBack = $back | Export-KMeansCentroid (Join-Path $Scratch 'back.arrow')
        $fromLive = $model | Export-KMeansCentroid (Join-Path $Scratch 'live.arrow')
        (Get-FileHash $fromBack).Hash | Should -Be (Get-FileHash $fromLive).Hash
        $back | Export-KMeansReport -Path (Join-Path $Scratch 'back.html') | Should -Exist
    }

    It 'keeps a model whole when Export-Clixml is told a shallower depth' {
        $model = Invoke-KMeansTraining $Data -K 6 -Seed 3 -AsModel
        $path = Join-Path $Scratch 'shallow.xml'
        $model | Export-Clixml -LiteralPath $path -Depth 1
        (Import-Clixml -LiteralPath $path).Centroids.Vector | Should -Be $model.Centroids.Vector
    }

    It 'takes a model that a background job trained, as a scheduled ops script receives it' {
        $job = Start-Job -ScriptBlock {
            param($Manifest, $Data)
            Import-Module $Manifest
            Invoke-KMeansTraining $Data -K 6 -Seed 3 -AsModel
        } -ArgumentList $Manifest, $Data
        try {
            $received = $job | Wait-Job -Timeout 120 | Receive-Job
        }
        finally {
            $job | Remove-Job -Force
        }
        $received | Should -BeOfType KMeans.PowerShell.KMeansModel
        $model = Invoke-KMeansTraining $Data -K 6 -Seed 3 -AsModel
        $received.Loss | Should -Be $model.Loss
        (Get-KMeansAssignment $Other -Centroid $received -Summary | ForEach-Object Count) | Should -Be (Get-KMeansAssignment $Other -Centroid $model -Summary | ForEach-Object Count)
    }

    It 'says which property a deserialized model lacks when it cannot be made live again' {
        # As an older module that had no BalanceHistory would have written it.
        $path = Join-Path $Scratch 'older.xml'
        Invoke-KMeansTraining $Data -K 6 -Seed 3 -AsModel | Export-Clixml -LiteralPath $path
        $xml = [xml](Get-Content -Raw -LiteralPath $path)
        $property = $xml.SelectSingleNode("//*[@N='BalanceHistory']")
        $null = $property.ParentNode.RemoveChild($property)
        $xml.Save($path)
        $shell = [powershell]::Create()
        try {
            $bag = $shell.AddCommand('Import-Clixml').AddParameter('LiteralPath', $path).Invoke()[0]
        }
        finally {
            $shell.Dispose()
        }
        $bag.PSObject.Properties['BalanceHistory'] | Should -BeNullOrEmpty
        $expected = "*it is a deserialized KMeansModel that cannot be made live again: The deserialized object has no 'BalanceHistory' property. (written by another version of the module?)*"
        { $bag | Export-KMeansCentroid (Join-Path $Scratch 'older.npy') -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCentroid,*' -ExpectedMessage $expected
        { Get-KMeansAssignment $Other -Centroid $bag -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCentroid,*' -ExpectedMessage $expected
        { $bag | Export-KMeansReport (Join-Path $Scratch 'older.html') -ErrorAction Stop } | Should -Throw -ErrorId 'NotAModel,*' -ExpectedMessage $expected
    }

    It 'converts what was deserialized before the module was imported when a cmdlet receives it' {
        $path = Join-Path $Scratch 'early.xml'
        $model = Invoke-KMeansTraining $Data -K 6 -Seed 3 -AsModel
        $model | Export-Clixml -LiteralPath $path
        $shell = [powershell]::Create()
        try {
            $bag = $shell.AddCommand('Import-Clixml').AddParameter('LiteralPath', $path).Invoke()
        }
        finally {
            $shell.Dispose()
        }
        $bag[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.KMeans.PowerShell.KMeansModel'
        $fromBag = $bag[0] | Export-KMeansCentroid (Join-Path $Scratch 'early.npy')
        $fromLive = $model | Export-KMeansCentroid (Join-Path $Scratch 'early-live.npy')
        (Get-FileHash $fromBag).Hash | Should -Be (Get-FileHash $fromLive).Hash
    }
}
