BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:First = Join-Path $Scratch 'first.npy'
    $script:Second = Join-Path $Scratch 'second.npy'
    $null = New-KMeansSampleData -Path $First -Rows 300 -Dimension 4 -Clusters 3 -Seed 1
    $null = New-KMeansSampleData -Path $Second -Rows 200 -Dimension 4 -Clusters 3 -Seed 2
    $script:Model = Invoke-KMeansTraining -Path $First -K 3 -Seed 1 -AsModel
    $script:Centroids = Join-Path $Scratch 'centroids.npy'
    $null = $Model | Export-KMeansCentroid -Path $Centroids
}

Describe 'Get-KMeansAssignment reads files named like the file cmdlets do' {
    It 'takes the data file at position 0' {
        $assignments = Get-KMeansAssignment $First -Centroid $Centroids
        $assignments.Index | Should -Be (0..299)
        ($assignments | Group-Object ClusterId | Sort-Object { [int]$_.Name } | ForEach-Object Count) |
            Should -Be ($Model.Centroids | ForEach-Object Size)
    }

    It 'assigns piped FileInfo objects with indices counting across the files' {
        $assignments = Get-ChildItem -LiteralPath $First, $Second | Get-KMeansAssignment -Centroid $Centroids
        $assignments.Index | Should -Be (0..499)
        $alone = Get-KMeansAssignment -LiteralPath $Second -Centroid $Centroids
        $assignments[300..499].ClusterId | Should -Be $alone.ClusterId
    }

    It 'assigns piped path strings, expanding wildcards' {
        $assignments = (Join-Path $Scratch 'f*.npy'), $Second | Get-KMeansAssignment -Centroid $Centroids
        $assignments.Count | Should -Be 500
    }

    It 'still takes piped vectors by value, in order with piped files' {
        $vector = [float[]](0, 0, 0, 0)
        $assignments = & { , $vector; Get-Item -LiteralPath $Second; , $vector } | Get-KMeansAssignment -Centroid $Model
        $assignments.Index | Should -Be (0..201)
        $assignments[0].ClusterId | Should -Be $assignments[201].ClusterId
    }

    It 'takes objects that hold a vector and a FullName as vectors' {
        $item = [pscustomobject]@{ FullName = 'not a file'; Vector = [float[]](1, 2, 3, 4) }
        $assignment = $item | Get-KMeansAssignment -Centroid $Model
        $assignment.Index | Should -Be 0
    }
}
AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force
}
