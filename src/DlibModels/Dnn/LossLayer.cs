namespace DlibModels.Dnn;

/// <summary>The loss layer on top of a dlib network; at inference it decides how outputs become answers.</summary>
public abstract record LossLayer
{
    /// <summary>dlib's name, e.g. <c>loss_mmod</c>.</summary>
    public abstract string Kind { get; }
}

/// <summary><c>loss_metric_</c>: the output vector is the answer (face descriptors).</summary>
/// <param name="Margin">Training margin.</param>
/// <param name="DistanceThreshold">Distance below which two outputs are the same identity.</param>
public sealed record MetricLoss(float Margin, float DistanceThreshold) : LossLayer
{
    /// <inheritdoc/>
    public override string Kind => "loss_metric";
}

/// <summary><c>loss_multiclass_log_</c>: the index of the largest output is the class.</summary>
public sealed record MulticlassLogLoss : LossLayer
{
    /// <inheritdoc/>
    public override string Kind => "loss_multiclass_log";
}

/// <summary>A detector window of <c>mmod_options</c>: its size and label.</summary>
/// <param name="Width">Window width in pixels.</param>
/// <param name="Height">Window height in pixels.</param>
/// <param name="Label">The label reported for detections of this window.</param>
public sealed record DetectorWindow(long Width, long Height, string Label);

/// <summary><c>loss_mmod_</c> with its <c>mmod_options</c>.</summary>
/// <param name="Windows">Detector windows, one output channel each.</param>
/// <param name="LossPerFalseAlarm">Training loss per false alarm.</param>
/// <param name="LossPerMissedTarget">Training loss per missed target.</param>
/// <param name="TruthMatchIouThreshold">IoU for a detection to match a truth box.</param>
/// <param name="NmsIouThreshold">Non-max suppression IoU threshold.</param>
/// <param name="NmsPercentCoveredThreshold">Non-max suppression covered-fraction threshold.</param>
/// <param name="IgnoreIouThreshold">overlaps_ignore IoU threshold.</param>
/// <param name="IgnorePercentCoveredThreshold">overlaps_ignore covered threshold.</param>
/// <param name="AssumeImagePyramid">0 = no, 1 = yes (use_image_pyramid).</param>
/// <param name="UseBoundingBoxRegression">Whether the net also regresses box offsets.</param>
/// <param name="BbrLambda">Bounding box regression weight.</param>
public sealed record MmodLoss(
    IReadOnlyList<DetectorWindow> Windows,
    double LossPerFalseAlarm,
    double LossPerMissedTarget,
    double TruthMatchIouThreshold,
    double NmsIouThreshold,
    double NmsPercentCoveredThreshold,
    double IgnoreIouThreshold,
    double IgnorePercentCoveredThreshold,
    int AssumeImagePyramid,
    bool UseBoundingBoxRegression,
    double BbrLambda) : LossLayer
{
    /// <inheritdoc/>
    public override string Kind => "loss_mmod";
}
