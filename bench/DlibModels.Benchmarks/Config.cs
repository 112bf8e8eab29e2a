using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace DlibModels.Benchmarks;

/// <summary>Memory diagnoser plus the GFLOP/s and %-of-peak columns for <see cref="IFlopCount"/> benchmarks.</summary>
public sealed class Config : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public Config()
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn(false), new GflopsColumn(true));
        WithOptions(ConfigOptions.JoinSummary);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40));
    }
}

/// <summary>A benchmark class whose current case does a known number of floating-point operations per call.</summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations (multiply and add counted separately) of one benchmark call.</summary>
    double Flops { get; }

    /// <summary>Threads the case may use (the peak scales with it).</summary>
    int ThreadsUsed { get; }
}

/// <summary>Achieved GFLOP/s (mean time), or that as a share of <see cref="Machine.PeakGflopsPerCore"/> x threads.</summary>
/// <param name="percent">Show the share of peak instead of GFLOP/s.</param>
public sealed class GflopsColumn(bool percent) : IColumn
{
    /// <inheritdoc/>
    public string Id => percent ? "PctPeak" : "GFLOPs";

    /// <inheritdoc/>
    public string ColumnName => percent ? "% FMA peak" : "GFLOP/s";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => percent ? 1 : 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => percent ? $"GFLOP/s / ({Machine.PeakGflopsPerCore:F1} x threads); peak = {Machine.PeakDescription}" : "floating-point operations per second / 1e9, from the mean";

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is null || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IFlopCount)
        {
            return "-";
        }

        // Build an instance with this case's parameters to ask for its flop count.
        var instance = (IFlopCount)Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
        foreach (var p in benchmarkCase.Parameters.Items)
        {
            benchmarkCase.Descriptor.Type.GetProperty(p.Name)?.SetValue(instance, p.Value);
            benchmarkCase.Descriptor.Type.GetField(p.Name)?.SetValue(instance, p.Value);
        }

        double gflops = instance.Flops / mean.Value;   // flops per ns = GFLOP/s
        return percent
            ? (100 * gflops / (Machine.PeakGflopsPerCore * Math.Max(1, instance.ThreadsUsed))).ToString("F1", CultureInfo.InvariantCulture) + "%"
            : gflops.ToString("F2", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
