namespace DlibModels.Dnn.Engine;

/// <summary>
/// Runs a network's layers forward on an input tensor: the seam between the pipelines that build
/// inputs and decode outputs (<see cref="Detection.Mmod.MmodDetector"/>,
/// <see cref="Faces.FaceRecognitionModel"/>, <see cref="Classification.ImageNetClassifier"/>) and the
/// engine that computes the layers. <see cref="DnnExecutor"/> is this library's engine; an adapter
/// assembly may supply another (e.g. DlibModels.OnnxRuntime).
/// </summary>
/// <remarks>Implementations must be safe to call from several threads at once.</remarks>
public interface IForwardPass
{
    /// <summary>The network run.</summary>
    DnnNetwork Network { get; }

    /// <summary>Most threads one forward pass uses (the pipelines use as many to build their inputs).</summary>
    int MaxThreads { get; }

    /// <summary>
    /// Runs the layers on <paramref name="input"/>, the input layer's tensor (already normalised,
    /// as <see cref="InputTensors"/> and the MMOD pyramid build it; not modified, not disposed), and
    /// returns the top layer's output as [N, K, rows, cols], which the caller must dispose.
    /// </summary>
    Tensor Forward(Tensor input);
}
