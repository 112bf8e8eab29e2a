namespace DlibModels.Dnn.Engine;

/// <summary>
/// A dense NCHW float32 tensor (dlib's <c>tensor</c>): <see cref="N"/> samples × <see cref="K"/>
/// channels × <see cref="Rows"/> × <see cref="Cols"/>, stored row-major in a pooled buffer.
/// Dispose it to return the buffer to the pool.
/// </summary>
public sealed class Tensor : IDisposable
{
    private float[]? buffer;

    /// <summary>Creates a tensor with undefined contents (see <see cref="Clear"/>).</summary>
    public Tensor(int n, int k, int rows, int cols)
    {
        if (n < 0 || k < 0 || rows < 0 || cols < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), $"negative tensor shape [{n},{k},{rows},{cols}]");
        }

        N = n;
        K = k;
        Rows = rows;
        Cols = cols;
        long len = (long)n * k * rows * cols;
        if (len > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(n), $"tensor shape [{n},{k},{rows},{cols}] holds more than {Array.MaxLength} floats");
        }

        Length = (int)len;
        buffer = BufferPool.Rent(Length);
    }

    /// <summary>Creates a tensor holding a copy of <paramref name="values"/> (NCHW order).</summary>
    public Tensor(int n, int k, int rows, int cols, ReadOnlySpan<float> values)
        : this(n, k, rows, cols)
    {
        if (values.Length != Length)
        {
            throw new ArgumentException($"expected {Length} values, got {values.Length}", nameof(values));
        }

        values.CopyTo(Span);
    }

    /// <summary>Number of samples.</summary>
    public int N { get; }

    /// <summary>Number of channels.</summary>
    public int K { get; }

    /// <summary>Rows per channel plane.</summary>
    public int Rows { get; }

    /// <summary>Columns per channel plane.</summary>
    public int Cols { get; }

    /// <summary>Total number of floats, N·K·Rows·Cols.</summary>
    public int Length { get; }

    /// <summary>Floats per channel plane (Rows·Cols).</summary>
    public int PlaneSize => Rows * Cols;

    /// <summary>Floats per sample (K·Rows·Cols).</summary>
    public int SampleSize => K * Rows * Cols;

    /// <summary>The values in NCHW order.</summary>
    public Span<float> Span => Buffer.AsSpan(0, Length);

    /// <summary>The shape as dlib prints it: [N, K, Rows, Cols].</summary>
    public int[] Shape => new[] { N, K, Rows, Cols };

    /// <summary>The underlying (possibly longer) array.</summary>
    internal float[] Buffer => buffer ?? throw new ObjectDisposedException(nameof(Tensor));

    /// <summary>Sets every value to 0.</summary>
    public void Clear() => Span.Clear();

    /// <summary>True when both tensors have the same N, K, Rows and Cols.</summary>
    public bool SameShape(Tensor other) => N == other.N && K == other.K && Rows == other.Rows && Cols == other.Cols;

    /// <summary>The value at sample <paramref name="n"/>, channel <paramref name="k"/>, row <paramref name="r"/>, column <paramref name="c"/>.</summary>
    public float this[int n, int k, int r, int c]
    {
        get => Buffer[(((n * K) + k) * Rows + r) * Cols + c];
        set => Buffer[(((n * K) + k) * Rows + r) * Cols + c] = value;
    }

    /// <summary>A copy of the values.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>Returns the buffer to the pool; the tensor is unusable afterwards.</summary>
    public void Dispose()
    {
        float[]? b = buffer;
        buffer = null;
        BufferPool.Return(b);
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{N}, {K}, {Rows}, {Cols}]";
}
