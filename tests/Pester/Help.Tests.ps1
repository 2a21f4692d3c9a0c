#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Get-Help as users read it: every exported command documented in full, and the about_KMeans topic.

BeforeDiscovery {
    $exportedCmdlets = (Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot '../../KMeans.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestEnvironment.ps1')
    $script:CommonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $script:About = Get-Help about_KMeans | Out-String
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Help of <_>' -ForEach $exportedCmdlets {
    BeforeAll {
        $script:Help = Get-Help $_ -Full
        $script:Command = Get-Command $_
    }

    It 'has a synopsis of its own' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        # Without a help file, PowerShell makes the synopsis from the syntax, which starts with the command's name.
        $Help.Synopsis | Should -Not -Match "^\s*$($Command.Name)"
    }

    It 'has a description' {
        ($Help.description | ForEach-Object Text) -join '' | Should -Match '\w{4,}'
    }

    It 'describes every parameter' {
        foreach ($parameter in $Command.Parameters.Keys | Where-Object { $_ -notin $CommonParameters }) {
            $entry = $Help.parameters.parameter | Where-Object name -EQ $parameter
            ($entry.description | ForEach-Object Text) -join '' | Should -Not -BeNullOrEmpty -Because "-$parameter needs help"
        }
    }

    It 'documents no parameter the command does not have' {
        foreach ($entry in $Help.parameters.parameter) {
            $Command.Parameters.Keys | Should -Contain $entry.name
        }
    }

    It 'has at least two examples, each with code and a remark' {
        $examples = @($Help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty
            ($example.remarks | ForEach-Object Text) -join '' | Should -Match '\w'
        }
    }

    It 'is named in about_KMeans' {
        $About | Should -Match ([regex]::Escape($_))
    }

    It 'shows every parameter type in its syntax as PowerShell writes it, with no .NET generic noise' {
        $syntax = $Help.syntax | Out-String -Width 500
        $syntax | Should -Not -Match '(?<!\[)\]>|Nullable|`1'
    }

    It 'names no parameter that no command has' {
        # The help's own text, not its rendering, which wraps words.
        $text = @(
            $Help.description.Text
            $Help.parameters.parameter.description.Text
            $Help.examples.example.code
            $Help.examples.example.remarks.Text
            $Help.alertSet.alert.Text
        ) -join "`n"
        # Examples may pipe into other commands (Sort-Object -Descending): their parameters count too.
        $named = [regex]::Matches($text, '\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b') | ForEach-Object Value | Sort-Object -Unique
        $parameters = @(Get-Command -Name $named -ErrorAction Ignore | ForEach-Object { $_.Parameters.Keys }) + $CommonParameters
        foreach ($name in [regex]::Matches($text, '(?<![\w-])-([A-Z][A-Za-z]+)\b') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique) {
            $parameters | Should -Contain $name -Because "the help of $($Command.Name) names -$name"
        }
    }
}

Describe 'about_KMeans' {
    It 'is found by Get-Help about_KMeans' {
        $About | Should -Match 'about_KMeans'
        $About | Should -Match 'SHORT DESCRIPTION'
    }

    It 'tells users to unzip the package into a PSModulePath folder and import it by name' {
        $About | Should -Match 'INSTALLATION'
        $About | Should -Match 'PSModulePath'
        $About | Should -Match 'KMeans-<version>\.zip'
        $About | Should -Match 'Import-Module KMeans'
    }

    It 'gives contributors the two commands of the README' {
        $readme = Get-Content -Raw -LiteralPath (Join-Path $RepositoryRoot 'README.md')
        $commands = [regex]::Matches($readme, '(?m)^dotnet tool restore && .+$') | ForEach-Object { $_.Value.Trim() }
        $commands | Should -HaveCount 2
        foreach ($command in $commands) {
            $About | Should -Match ([regex]::Escape($command))
        }
    }

    It 'tells how to complete -Column' {
        $About | Should -Match 'Tab after -Column lists'
        foreach ($command in 'Invoke-KMeansTraining', 'Get-KMeansAssignment', 'Get-KMeansDiskEstimate') {
            (Get-Help $command -Parameter Column).description.Text | Should -Match 'Tab after -Column lists'
        }
    }

    It 'is what the plural alias gets too' {
        (Get-Help Export-KMeansCentroids).Synopsis | Should -Be (Get-Help Export-KMeansCentroid).Synopsis
    }
}
