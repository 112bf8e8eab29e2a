namespace DlibModels.Dnn;

/// <summary>
/// One computational layer of a dlib network, immutable after loading. Layers are listed from the
/// input upwards in <see cref="DnnNetwork.Layers"/>; each consumes the output of the layer below it
/// (or, for <see cref="SkipLayer"/>, <see cref="AddPrevLayer"/> and <see cref="ConcatLayer"/>, tagged outputs).
/// </summary>
public abstract class Layer
{
    /// <summary>dlib's name of the layer kind as printed by <c>cout &lt;&lt; net</c> (<c>con</c>, <c>relu</c>, <c>tag1</c>...).</summary>
    public abstract string Kind { get; }

    /// <summary>Learnable parameters as <c>dlib::count_parameters</c> counts them (affine layers count 0).</summary>
    public virtual long ParameterCount => 0;

    /// <summary>The hyper-parameters as text, e.g. <c>num_filters=32, nr=5, nc=5, stride_y=2</c>.</summary>
    public virtual string Describe() => Kind;

    /// <inheritdoc/>
    public override string ToString() => Describe();
}

/// <summary>dlib's <c>con_</c>: 2-D convolution, filters <c>[out][in][kh][kw]</c> (no flip), optional bias.</summary>
public sealed class ConvolutionLayer : Layer
{
    /// <summary>
    /// The filters in the convolution kernel's packed order: given by the loader, or packed on first
    /// use (see <see cref="Engine.PackedConvolution.PackedFilters"/>).
    /// </summary>
    internal float[]? PackedFiltersCache;

    private float[]? weights;

    /// <summary>Creates the layer; <paramref name="weights"/> has NumFilters·InputChannels·KernelRows·KernelCols values.</summary>
    public ConvolutionLayer(int numFilters, int inputChannels, int kernelRows, int kernelCols, int strideY, int strideX, int paddingY, int paddingX, float[] weights, float[] biases)
        : this(numFilters, inputChannels, kernelRows, kernelCols, strideY, strideX, paddingY, paddingX, weights, weights?.Length ?? throw new ArgumentNullException(nameof(weights)), null, biases)
    {
    }

    private ConvolutionLayer(int numFilters, int inputChannels, int kernelRows, int kernelCols, int strideY, int strideX, int paddingY, int paddingX, float[]? weights, int weightCount, float[]? packedFilters, float[] biases)
    {
        NumFilters = numFilters;
        InputChannels = inputChannels;
        KernelRows = kernelRows;
        KernelCols = kernelCols;
        StrideY = strideY;
        StrideX = strideX;
        PaddingY = paddingY;
        PaddingX = paddingX;
        this.weights = weights;
        WeightCount = weightCount;
        PackedFiltersCache = packedFilters;
        BiasesArray = biases;
    }

    /// <summary>Number of output channels.</summary>
    public int NumFilters { get; }

    /// <summary>Number of input channels.</summary>
    public int InputChannels { get; }

    /// <summary>Kernel height.</summary>
    public int KernelRows { get; }

    /// <summary>Kernel width.</summary>
    public int KernelCols { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideY { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideX { get; }

    /// <summary>Zero padding above and below.</summary>
    public int PaddingY { get; }

    /// <summary>Zero padding left and right.</summary>
    public int PaddingX { get; }

    /// <summary>True when the layer adds a bias per filter.</summary>
    public bool HasBias => BiasesArray.Length != 0;

    /// <summary>Filters, <c>[out][in][kh][kw]</c>.</summary>
    public ReadOnlyMemory<float> Weights => WeightsArray;

    /// <summary>Biases, one per filter, or empty.</summary>
    public ReadOnlyMemory<float> Biases => BiasesArray;

    /// <summary>
    /// The filters, <c>[out][in][kh][kw]</c>. A layer loaded from a file keeps only its packed filters
    /// (see <see cref="Engine.PackedConvolution.PackedFilters"/>), and this unpacks them on first use.
    /// </summary>
    internal float[] WeightsArray
    {
        get
        {
            float[]? w = Volatile.Read(ref weights);
            if (w is not null)
            {
                return w;
            }

            w = Engine.PackedConvolution.Unpack(PackedFiltersCache!, NumFilters, WeightCount / Math.Max(1, NumFilters));
            return Interlocked.CompareExchange(ref weights, w, null) ?? w;
        }
    }

    /// <summary>How many filter values the layer has (<see cref="Weights"/>' length).</summary>
    internal int WeightCount { get; }

    internal float[] BiasesArray { get; }

    /// <inheritdoc/>
    public override string Kind => "con";

    /// <inheritdoc/>
    public override long ParameterCount => (long)WeightCount + BiasesArray.LongLength;

    /// <inheritdoc/>
    public override string Describe() =>
        $"con (num_filters={NumFilters}, nr={KernelRows}, nc={KernelCols}, stride_y={StrideY}, stride_x={StrideX}, padding_y={PaddingY}, padding_x={PaddingX}){(HasBias ? "" : " use_bias=false")}";

    /// <summary>Output size for an input of <paramref name="rows"/>×<paramref name="cols"/>.</summary>
    public (int Rows, int Cols) OutputSize(int rows, int cols) =>
        (1 + ((rows + (2 * PaddingY) - KernelRows) / StrideY), 1 + ((cols + (2 * PaddingX) - KernelCols) / StrideX));

    /// <summary>
    /// The layer for filters <paramref name="filters"/> (<c>[out][in][kh][kw]</c>, e.g. straight from a
    /// file's bytes), stored the way the executor will use them: packed, except for the few-filter
    /// unit-stride layers that the executor computes directly from the plain filters.
    /// </summary>
    internal static ConvolutionLayer FromFilters(int numFilters, int inputChannels, int kernelRows, int kernelCols, int strideY, int strideX, int paddingY, int paddingX, ReadOnlySpan<float> filters, float[] biases)
    {
        if (Engine.PackedConvolution.UsesDirect(numFilters, strideX))
        {
            float[] plain = filters.Length == 0 ? [] : GC.AllocateUninitializedArray<float>(filters.Length);
            filters.CopyTo(plain);
            return new ConvolutionLayer(numFilters, inputChannels, kernelRows, kernelCols, strideY, strideX, paddingY, paddingX, plain, biases);
        }

        float[] packed = Engine.PackedConvolution.Pack(filters, numFilters, filters.Length / Math.Max(1, numFilters));
        return new ConvolutionLayer(numFilters, inputChannels, kernelRows, kernelCols, strideY, strideX, paddingY, paddingX, null, filters.Length, packed, biases);
    }
}

/// <summary>dlib's <c>fc_</c>: fully connected; weights stored <c>[in][out]</c> (output = x·W), bias optional.</summary>
public sealed class FullyConnectedLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public FullyConnectedLayer(int numOutputs, int numInputs, float[] weights, float[] biases)
    {
        NumOutputs = numOutputs;
        NumInputs = numInputs;
        WeightsArray = weights;
        BiasesArray = biases;
    }

    /// <summary>Number of outputs.</summary>
    public int NumOutputs { get; }

    /// <summary>Number of inputs (k·nr·nc of the layer below).</summary>
    public int NumInputs { get; }

    /// <summary>True when a bias is added.</summary>
    public bool HasBias => BiasesArray.Length != 0;

    /// <summary>Weights <c>[in][out]</c>.</summary>
    public ReadOnlyMemory<float> Weights => WeightsArray;

    /// <summary>Biases, one per output, or empty.</summary>
    public ReadOnlyMemory<float> Biases => BiasesArray;

    internal float[] WeightsArray { get; }

    internal float[] BiasesArray { get; }

    /// <inheritdoc/>
    public override string Kind => HasBias ? "fc" : "fc_no_bias";

    /// <inheritdoc/>
    public override long ParameterCount => WeightsArray.LongLength + BiasesArray.LongLength;

    /// <inheritdoc/>
    public override string Describe() => $"{Kind} (num_outputs={NumOutputs})";
}

/// <summary>
/// dlib's <c>affine_</c> (also what <c>bn_</c> records become at inference): y = gamma·x + beta, per
/// channel in convolution mode, per element (k·nr·nc) in fc mode.
/// </summary>
public sealed class AffineLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public AffineLayer(bool convolutionMode, float[] gamma, float[] beta)
    {
        ConvolutionMode = convolutionMode;
        GammaArray = gamma;
        BetaArray = beta;
    }

    /// <summary>True for per-channel (CONV_MODE), false for per-element (FC_MODE).</summary>
    public bool ConvolutionMode { get; }

    /// <summary>Scales.</summary>
    public ReadOnlyMemory<float> Gamma => GammaArray;

    /// <summary>Offsets.</summary>
    public ReadOnlyMemory<float> Beta => BetaArray;

    internal float[] GammaArray { get; }

    internal float[] BetaArray { get; }

    /// <inheritdoc/>
    public override string Kind => "affine";

    /// <inheritdoc/>
    public override string Describe() => ConvolutionMode ? "affine_con" : "affine_fc";
}

/// <summary>dlib's <c>relu_</c>: max(0, x).</summary>
public sealed class ReluLayer : Layer
{
    /// <inheritdoc/>
    public override string Kind => "relu";
}

/// <summary>dlib's <c>dropout_</c>: the identity at inference.</summary>
public sealed class DropoutLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public DropoutLayer(float dropRate) => DropRate = dropRate;

    /// <summary>The training drop rate (unused at inference).</summary>
    public float DropRate { get; }

    /// <inheritdoc/>
    public override string Kind => "dropout";

    /// <inheritdoc/>
    public override string Describe() => $"dropout (drop_rate={DropRate})";
}

/// <summary>dlib's <c>multiply_</c>: scales by a constant.</summary>
public sealed class MultiplyLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public MultiplyLayer(float value) => Value = value;

    /// <summary>The constant.</summary>
    public float Value { get; }

    /// <inheritdoc/>
    public override string Kind => "multiply";

    /// <inheritdoc/>
    public override string Describe() => $"multiply (val={Value})";
}

/// <summary>Pooling kind.</summary>
public enum PoolKind
{
    /// <summary>dlib's <c>max_pool_</c>.</summary>
    Max,

    /// <summary>dlib's <c>avg_pool_</c>.</summary>
    Average,
}

/// <summary>
/// dlib's <c>max_pool_</c>/<c>avg_pool_</c>. A window of 0×0 means the whole input
/// (<c>max_pool_everything</c>, <c>avg_pool_everything</c>).
/// </summary>
public sealed class PoolLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public PoolLayer(PoolKind pool, int rows, int cols, int strideY, int strideX, int paddingY, int paddingX)
    {
        Pool = pool;
        WindowRows = rows;
        WindowCols = cols;
        StrideY = strideY;
        StrideX = strideX;
        PaddingY = paddingY;
        PaddingX = paddingX;
    }

    /// <summary>Max or average.</summary>
    public PoolKind Pool { get; }

    /// <summary>Window height (0 = the whole input).</summary>
    public int WindowRows { get; }

    /// <summary>Window width (0 = the whole input).</summary>
    public int WindowCols { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideY { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideX { get; }

    /// <summary>Padding above and below.</summary>
    public int PaddingY { get; }

    /// <summary>Padding left and right.</summary>
    public int PaddingX { get; }

    /// <summary>True for the pool-everything variants.</summary>
    public bool IsGlobal => WindowRows == 0 && WindowCols == 0;

    /// <inheritdoc/>
    public override string Kind => Pool == PoolKind.Max ? "max_pool" : "avg_pool";

    /// <inheritdoc/>
    public override string Describe() =>
        $"{Kind} (nr={WindowRows}, nc={WindowCols}, stride_y={StrideY}, stride_x={StrideX}, padding_y={PaddingY}, padding_x={PaddingX})";
}

/// <summary>dlib's <c>tagN</c>: the identity, remembering its output under <see cref="Id"/>.</summary>
public sealed class TagLayer : Layer
{
    /// <summary>Creates the tag.</summary>
    public TagLayer(int id) => Id = id;

    /// <summary>The tag number N.</summary>
    public int Id { get; }

    /// <inheritdoc/>
    public override string Kind => $"tag{Id}";
}

/// <summary>dlib's <c>skipN</c>: outputs the output of the nearest <c>tagN</c> below it.</summary>
public sealed class SkipLayer : Layer
{
    /// <summary>Creates the skip.</summary>
    public SkipLayer(int tagId) => TagId = tagId;

    /// <summary>The tag number N.</summary>
    public int TagId { get; }

    /// <inheritdoc/>
    public override string Kind => $"skip{TagId}";
}

/// <summary>
/// dlib's <c>add_prevN</c>: adds the output of the nearest <c>tagN</c> below to its input. When the
/// shapes differ the output has the larger of each dimension and missing values count as 0.
/// </summary>
public sealed class AddPrevLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public AddPrevLayer(int tagId) => TagId = tagId;

    /// <summary>The tag number N.</summary>
    public int TagId { get; }

    /// <inheritdoc/>
    public override string Kind => $"add_prev{TagId}";
}

/// <summary>dlib's <c>concat_</c>: concatenates the tagged outputs along the channel axis, in tag order.</summary>
public sealed class ConcatLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    public ConcatLayer(IReadOnlyList<int> tagIds) => TagIds = tagIds;

    /// <summary>The tags concatenated, first channels first.</summary>
    public IReadOnlyList<int> TagIds { get; }

    /// <inheritdoc/>
    public override string Kind => "concat";

    /// <inheritdoc/>
    public override string Describe() => $"concat ({string.Join(",", TagIds.Select(t => $"tag{t}"))})";
}
