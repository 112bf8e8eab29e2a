using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DlibModels.Search;

/// <summary>Which distance kernel <see cref="DescriptorMatrix"/> uses.</summary>
public enum DistanceKernel
{
    /// <summary>The widest one the processor accelerates (Vector512, else Vector256, else scalar).</summary>
    Auto,

    /// <summary>512-bit vectors (emulated where the processor lacks AVX-512; results are the same).</summary>
    Vector512,

    /// <summary>256-bit vectors.</summary>
    Vector256,

    /// <summary>Plain scalar code.</summary>
    Scalar,
}

/// <summary>One nearest-neighbour hit: the row's face id and its Euclidean distance to the query.</summary>
/// <param name="FaceId">The face id stored with the row.</param>
/// <param name="PersonId">The person id stored with the row, or null.</param>
/// <param name="Distance">Euclidean distance to the query.</param>
public readonly record struct Neighbor(long FaceId, long? PersonId, double Distance);

/// <summary>
/// Descriptors in one contiguous in-memory float matrix (row-major, <see cref="Dimension"/> floats a row) with
/// exact k-nearest-neighbour search over all cores. Not thread-safe for writers; searches may run concurrently
/// with each other but not with <see cref="Add"/> or <see cref="RemoveAt"/>.
/// </summary>
public sealed class DescriptorMatrix
{
    private const int ParallelThreshold = 16384;
    private float[] _data;
    private long[] _faceIds;
    private long[] _personIds;
    private readonly Dictionary<long, int> _rowOfFace = [];

    /// <summary>Creates an empty matrix.</summary>
    /// <param name="dimension">Floats per descriptor (128 for dlib's face network); a multiple of 16.</param>
    /// <param name="capacity">Initial row capacity.</param>
    public DescriptorMatrix(int dimension = 128, int capacity = 1024)
    {
        if (dimension <= 0 || dimension % 16 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be a positive multiple of 16.");
        }

        Dimension = dimension;
        capacity = Math.Max(capacity, 16);
        _data = new float[(long)capacity * dimension];
        _faceIds = new long[capacity];
        _personIds = new long[capacity];
    }

    /// <summary>Floats per row.</summary>
    public int Dimension { get; }

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>The kernel searches use; <see cref="DistanceKernel.Auto"/> picks by hardware.</summary>
    public DistanceKernel Kernel { get; set; } = DistanceKernel.Auto;

    /// <summary>Most threads a search uses (0: all cores).</summary>
    public int MaxThreads { get; set; }

    /// <summary>Bytes held by the matrix and its id columns.</summary>
    public long MemoryBytes => (_data.LongLength * sizeof(float)) + ((long)_faceIds.Length * sizeof(long) * 2);

    /// <summary>The kernel <see cref="DistanceKernel.Auto"/> resolves to on this machine.</summary>
    public static DistanceKernel HardwareKernel =>
        Vector512.IsHardwareAccelerated ? DistanceKernel.Vector512 : Vector256.IsHardwareAccelerated ? DistanceKernel.Vector256 : DistanceKernel.Scalar;

    /// <summary>Whether a row with this face id is held.</summary>
    public bool Contains(long faceId) => _rowOfFace.ContainsKey(faceId);

    /// <summary>The descriptor of a face held, or null.</summary>
    public float[]? Get(long faceId) =>
        _rowOfFace.TryGetValue(faceId, out int row) ? _data.AsSpan(row * Dimension, Dimension).ToArray() : null;

    /// <summary>Appends a row (replacing the row of the same face id if there is one).</summary>
    public void Add(long faceId, long? personId, ReadOnlySpan<float> descriptor)
    {
        if (descriptor.Length != Dimension)
        {
            throw new ArgumentException($"A descriptor has {Dimension} values, this one {descriptor.Length}.", nameof(descriptor));
        }

        if (_rowOfFace.TryGetValue(faceId, out int existing))
        {
            descriptor.CopyTo(_data.AsSpan(existing * Dimension, Dimension));
            _personIds[existing] = personId ?? -1;
            return;
        }

        if (Count == _faceIds.Length)
        {
            int capacity = (int)Math.Min((long)_faceIds.Length * 2, Array.MaxLength / Dimension);
            if (capacity <= Count)
            {
                throw new InvalidOperationException("The descriptor matrix is full.");
            }

            Array.Resize(ref _data, capacity * Dimension);
            Array.Resize(ref _faceIds, capacity);
            Array.Resize(ref _personIds, capacity);
        }

        descriptor.CopyTo(_data.AsSpan(Count * Dimension, Dimension));
        _faceIds[Count] = faceId;
        _personIds[Count] = personId ?? -1;
        _rowOfFace[faceId] = Count;
        Count++;
    }

    /// <summary>Removes the row of a face (the last row moves into its place). Returns whether it was held.</summary>
    public bool Remove(long faceId)
    {
        if (!_rowOfFace.Remove(faceId, out int row))
        {
            return false;
        }

        RemoveAt(row);
        return true;
    }

    /// <summary>Sets the person of a row held.</summary>
    public void SetPerson(long faceId, long? personId)
    {
        if (_rowOfFace.TryGetValue(faceId, out int row))
        {
            _personIds[row] = personId ?? -1;
        }
    }

    /// <summary>Rewrites every row of one person to another (or to none).</summary>
    public void ReplacePerson(long personId, long? newPersonId)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_personIds[i] == personId)
            {
                _personIds[i] = newPersonId ?? -1;
            }
        }
    }

    /// <summary>Removes every row.</summary>
    public void Clear()
    {
        Count = 0;
        _rowOfFace.Clear();
    }

    private void RemoveAt(int row)
    {
        int last = Count - 1;
        if (row != last)
        {
            _data.AsSpan(last * Dimension, Dimension).CopyTo(_data.AsSpan(row * Dimension, Dimension));
            _faceIds[row] = _faceIds[last];
            _personIds[row] = _personIds[last];
            _rowOfFace[_faceIds[row]] = row;
        }

        Count--;
    }

    /// <summary>
    /// The <paramref name="k"/> rows nearest to <paramref name="query"/> within <paramref name="maxDistance"/>,
    /// nearest first (ties broken by face id). Exact: every row is compared.
    /// </summary>
    /// <param name="query">A descriptor of <see cref="Dimension"/> values.</param>
    /// <param name="k">Most hits returned.</param>
    /// <param name="maxDistance">Largest distance returned (inclusive).</param>
    /// <param name="labeledOnly">Only rows with a person.</param>
    public Neighbor[] Search(ReadOnlySpan<float> query, int k, double maxDistance = double.PositiveInfinity, bool labeledOnly = false) =>
        SearchExactScan(query, k, maxDistance, labeledOnly);

    /// <summary>
    /// The same answer as <see cref="Search"/> from a plain float comparison with every row (the reference
    /// any faster search path is checked against).
    /// </summary>
    public Neighbor[] SearchExactScan(ReadOnlySpan<float> query, int k, double maxDistance = double.PositiveInfinity, bool labeledOnly = false)
    {
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"A query has {Dimension} values, this one {query.Length}.", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k == 0 || Count == 0)
        {
            return [];
        }

        float limit = double.IsPositiveInfinity(maxDistance) ? float.PositiveInfinity : (float)(maxDistance * maxDistance);
        float[] q = query.ToArray();
        DistanceKernel kernel = Kernel == DistanceKernel.Auto ? HardwareKernel : Kernel;
        int threads = MaxThreads > 0 ? MaxThreads : Environment.ProcessorCount;
        int count = Count;
        int parts = count < ParallelThreshold ? 1 : Math.Min(threads, count / (ParallelThreshold / 4));
        parts = Math.Max(parts, 1);
        var heaps = new TopK[parts];
        if (parts == 1)
        {
            heaps[0] = Scan(q, 0, count, k, limit, labeledOnly, kernel);
        }
        else
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
            {
                int start = (int)((long)count * p / parts);
                int end = (int)((long)count * (p + 1) / parts);
                heaps[p] = Scan(q, start, end, k, limit, labeledOnly, kernel);
            });
        }

        var merged = new TopK(k);
        foreach (TopK h in heaps)
        {
            for (int i = 0; i < h.Count; i++)
            {
                merged.Offer(h.Dist[i], h.Ids[i], h.Rows[i]);
            }
        }

        var result = new Neighbor[merged.Count];
        for (int i = 0; i < merged.Count; i++)
        {
            long person = _personIds[merged.Rows[i]];
            result[i] = new Neighbor(merged.Ids[i], person < 0 ? null : person, Math.Sqrt(merged.Dist[i]));
        }

        return result;
    }

    private TopK Scan(float[] q, int start, int end, int k, float limit, bool labeledOnly, DistanceKernel kernel)
    {
        var top = new TopK(k);
        ref float qr = ref MemoryMarshal.GetArrayDataReference(q);
        ref float data = ref MemoryMarshal.GetArrayDataReference(_data);
        int dim = Dimension;
        for (int row = start; row < end; row++)
        {
            if (labeledOnly && _personIds[row] < 0)
            {
                continue;
            }

            ref float r = ref Unsafe.Add(ref data, (nint)row * dim);
            float d = kernel switch
            {
                DistanceKernel.Vector512 => SquaredDistance512(ref qr, ref r, dim),
                DistanceKernel.Vector256 => SquaredDistance256(ref qr, ref r, dim),
                _ => SquaredDistanceScalar(ref qr, ref r, dim),
            };
            if (d <= limit && top.Accepts(d, _faceIds[row]))
            {
                top.Offer(d, _faceIds[row], row);
            }
        }

        return top;
    }

    /// <summary>Squared Euclidean distance with 512-bit vectors.</summary>
    internal static float SquaredDistance512(ref float a, ref float b, int dim)
    {
        Vector512<float> acc0 = Vector512<float>.Zero, acc1 = Vector512<float>.Zero;
        int i = 0;
        for (; i + 32 <= dim; i += 32)
        {
            Vector512<float> d0 = Vector512.LoadUnsafe(ref a, (nuint)i) - Vector512.LoadUnsafe(ref b, (nuint)i);
            Vector512<float> d1 = Vector512.LoadUnsafe(ref a, (nuint)(i + 16)) - Vector512.LoadUnsafe(ref b, (nuint)(i + 16));
            acc0 += d0 * d0;
            acc1 += d1 * d1;
        }

        for (; i < dim; i += 16)
        {
            Vector512<float> d0 = Vector512.LoadUnsafe(ref a, (nuint)i) - Vector512.LoadUnsafe(ref b, (nuint)i);
            acc0 += d0 * d0;
        }

        return Vector512.Sum(acc0 + acc1);
    }

    /// <summary>Squared Euclidean distance with 256-bit vectors.</summary>
    internal static float SquaredDistance256(ref float a, ref float b, int dim)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
        for (int i = 0; i < dim; i += 16)
        {
            Vector256<float> d0 = Vector256.LoadUnsafe(ref a, (nuint)i) - Vector256.LoadUnsafe(ref b, (nuint)i);
            Vector256<float> d1 = Vector256.LoadUnsafe(ref a, (nuint)(i + 8)) - Vector256.LoadUnsafe(ref b, (nuint)(i + 8));
            acc0 += d0 * d0;
            acc1 += d1 * d1;
        }

        return Vector256.Sum(acc0 + acc1);
    }

    /// <summary>Squared Euclidean distance, scalar.</summary>
    internal static float SquaredDistanceScalar(ref float a, ref float b, int dim)
    {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int i = 0; i < dim; i += 4)
        {
            float d0 = Unsafe.Add(ref a, i) - Unsafe.Add(ref b, i);
            float d1 = Unsafe.Add(ref a, i + 1) - Unsafe.Add(ref b, i + 1);
            float d2 = Unsafe.Add(ref a, i + 2) - Unsafe.Add(ref b, i + 2);
            float d3 = Unsafe.Add(ref a, i + 3) - Unsafe.Add(ref b, i + 3);
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }

        return (s0 + s1) + (s2 + s3);
    }

    /// <summary>A small sorted top-k list ordered by (distance, face id).</summary>
    private sealed class TopK(int k)
    {
        public readonly float[] Dist = new float[k];
        public readonly long[] Ids = new long[k];
        public readonly int[] Rows = new int[k];
        public int Count;

        public bool Accepts(float d, long id) =>
            Count < k || d < Dist[Count - 1] || (d == Dist[Count - 1] && id < Ids[Count - 1]);

        public void Offer(float d, long id, int row)
        {
            if (!Accepts(d, id))
            {
                return;
            }

            int i = Count < k ? Count++ : k - 1;
            while (i > 0 && (Dist[i - 1] > d || (Dist[i - 1] == d && Ids[i - 1] > id)))
            {
                Dist[i] = Dist[i - 1];
                Ids[i] = Ids[i - 1];
                Rows[i] = Rows[i - 1];
                i--;
            }

            Dist[i] = d;
            Ids[i] = id;
            Rows[i] = row;
        }
    }
}
