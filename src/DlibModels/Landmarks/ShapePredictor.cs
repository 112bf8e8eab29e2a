using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DlibModels.Imaging;
using DlibModels.Serialization;

namespace DlibModels.Landmarks;

/// <summary>
/// dlib's <c>shape_predictor</c> (Kazemi and Sullivan's ensemble of regression trees), read from
/// dlib's serialized format and evaluated exactly like dlib 19.24 does it (float arithmetic,
/// nearest-pixel feature sampling, rounding of the parts with floor(v + 0.5)).
/// </summary>
/// <remarks>Instances are immutable and safe to use from several threads at once.</remarks>
public sealed class ShapePredictor
{
    private const long MaxCount = 1L << 28;

    private readonly float[] _initialShape;
    private readonly bool _initialShapeNegativeDims;
    private readonly Cascade[] _cascades;
    private readonly int _maxFeatures;
    private readonly int _maxTrees;

    private ShapePredictor(float[] initialShape, bool negativeDims, Cascade[] cascades)
    {
        _initialShape = initialShape;
        _initialShapeNegativeDims = negativeDims;
        _cascades = cascades;
        int max = 0, maxTrees = 0;
        foreach (Cascade c in cascades)
        {
            max = Math.Max(max, c.Anchor.Length);
            maxTrees = Math.Max(maxTrees, c.NumTrees);
        }

        _maxFeatures = max;
        _maxTrees = maxTrees;
    }

    /// <summary>Number of parts each prediction has.</summary>
    public int NumParts => _initialShape.Length / 2;

    /// <summary>Number of cascade levels.</summary>
    public int NumCascades => _cascades.Length;

    /// <summary>Total number of trees over all cascade levels.</summary>
    public int NumTrees
    {
        get
        {
            int n = 0;
            foreach (Cascade c in _cascades)
            {
                n += c.NumTrees;
            }

            return n;
        }
    }

    /// <summary>dlib's <c>num_features()</c>: the total number of leaves over all trees.</summary>
    public long NumFeatures
    {
        get
        {
            long n = 0;
            foreach (Cascade c in _cascades)
            {
                n += c.LeafStart[c.NumTrees];
            }

            return n;
        }
    }

    /// <summary>Loads a shape predictor file (optionally .bz2 compressed) that holds only the predictor.</summary>
    /// <exception cref="DlibFormatException">The file is not a valid shape predictor.</exception>
    public static ShapePredictor Load(string path)
    {
        DlibReader reader = ModelFile.OpenReader(path);
        ShapePredictor sp = Read(reader);
        reader.RequireEnd();
        return sp;
    }

    /// <summary>
    /// Reads a serialized <c>dlib::shape_predictor</c> at the reader's position (for example after a
    /// network in the vehicle and hipsterizer files), leaving the reader just after it.
    /// </summary>
    /// <exception cref="DlibFormatException">The data is not a valid shape predictor.</exception>
    public static ShapePredictor Read(DlibReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var scope = reader.Enter("shape_predictor");
        reader.ReadVersion("shape_predictor", 1);

        float[] initial;
        bool initialNeg;
        using (reader.Enter("initial_shape"))
        {
            (initial, initialNeg) = ReadColumnVector(reader, -1);
            if (initial.Length == 0 || initial.Length % 2 != 0)
            {
                throw reader.Error($"the initial shape has {initial.Length} values; expected a positive even number");
            }
        }

        int numParts = initial.Length / 2;
        var cascades = new List<Cascade>();
        Cascade.Builder[] builders;
        using (reader.Enter("forests"))
        {
            long numCascades = reader.ReadSize("number of cascade levels", 100000);
            builders = new Cascade.Builder[numCascades];
            for (long c = 0; c < numCascades; c++)
            {
                using var cs = reader.Enter($"cascade {c}");
                builders[c] = Cascade.Builder.ReadTrees(reader, initial.Length);
            }
        }

        using (reader.Enter("anchor_idx"))
        {
            long n = reader.ReadSize("number of anchor index lists", 100000);
            if (n != builders.Length)
            {
                throw reader.Error($"there are {n} anchor index lists but {builders.Length} cascade levels");
            }

            for (int c = 0; c < n; c++)
            {
                long count = reader.ReadSize($"anchor count of cascade {c}", MaxCount);
                var anchors = new int[count];
                for (long i = 0; i < count; i++)
                {
                    long start = reader.Position;
                    long a = reader.ReadInt64();
                    if (a < 0 || a >= numParts)
                    {
                        throw reader.ErrorAt(start, $"anchor index {a} of cascade {c} is outside 0..{numParts - 1}");
                    }

                    anchors[i] = (int)a;
                }

                builders[c].Anchor = anchors;
            }
        }

        using (reader.Enter("deltas"))
        {
            long n = reader.ReadSize("number of delta lists", 100000);
            if (n != builders.Length)
            {
                throw reader.Error($"there are {n} delta lists but {builders.Length} cascade levels");
            }

            for (int c = 0; c < n; c++)
            {
                long count = reader.ReadSize($"delta count of cascade {c}", MaxCount);
                if (count != builders[c].Anchor!.Length)
                {
                    throw reader.Error($"cascade {c} has {count} deltas but {builders[c].Anchor!.Length} anchors");
                }

                var dx = new float[count];
                var dy = new float[count];
                for (long i = 0; i < count; i++)
                {
                    dx[i] = reader.ReadFloat();
                    dy[i] = reader.ReadFloat();
                }

                builders[c].DeltaX = dx;
                builders[c].DeltaY = dy;
                cascades.Add(builders[c].Build(reader, c));
            }
        }

        return new ShapePredictor(initial, initialNeg, cascades.ToArray());
    }

    /// <summary>Writes the predictor in dlib's format, byte-identical to the file it was read from.</summary>
    public void Write(DlibWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt(1);
        WriteColumnVector(writer, _initialShape, _initialShapeNegativeDims);
        writer.WriteInt(_cascades.Length);
        foreach (Cascade c in _cascades)
        {
            writer.WriteInt(c.NumTrees);
            for (int t = 0; t < c.NumTrees; t++)
            {
                int s0 = c.SplitStart[t];
                int s1 = c.SplitStart[t + 1];
                writer.WriteInt(s1 - s0);
                for (int s = s0; s < s1; s++)
                {
                    writer.WriteInt(c.Idx1[s]);
                    writer.WriteInt(c.Idx2[s]);
                    writer.WriteFloat(c.Thresh[s]);
                }

                int l0 = c.LeafStart[t];
                int l1 = c.LeafStart[t + 1];
                writer.WriteInt(l1 - l0);
                for (int l = l0; l < l1; l++)
                {
                    WriteColumnVector(writer, c.Leaves.AsSpan(l * _initialShape.Length, _initialShape.Length), c.LeafNegativeDims[l]);
                }
            }
        }

        writer.WriteInt(_cascades.Length);
        foreach (Cascade c in _cascades)
        {
            writer.WriteInt(c.Anchor.Length);
            foreach (int a in c.Anchor)
            {
                writer.WriteInt(a);
            }
        }

        writer.WriteInt(_cascades.Length);
        foreach (Cascade c in _cascades)
        {
            writer.WriteInt(c.Anchor.Length);
            for (int i = 0; i < c.Anchor.Length; i++)
            {
                writer.WriteFloat(c.DeltaX[i]);
                writer.WriteFloat(c.DeltaY[i]);
            }
        }
    }

    /// <summary>The serialized bytes (uncompressed), as <see cref="Write(DlibWriter)"/> writes them.</summary>
    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        Write(new DlibWriter(ms));
        return ms.ToArray();
    }

    /// <summary>Predicts the parts of the object in <paramref name="box"/> of an RGB image (dlib uses (r+g+b)/3 as intensity).</summary>
    public FullObjectDetection Predict(RgbImage image, Rectangle box)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PredictCore(new RgbSource(image), box, uniformWalk: true, null);
    }

    /// <summary>Predicts the parts of the object in <paramref name="box"/> of a grayscale image.</summary>
    public FullObjectDetection Predict(GrayImage image, Rectangle box)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PredictCore(new GraySource(image), box, uniformWalk: true, null);
    }

    /// <summary>
    /// The shape before scaling to the box (dlib's normalized coordinates), with the interleaved
    /// walk of complete trees or without it (for tests: both give the same floats).
    /// </summary>
    internal float[] PredictNormalized(RgbImage image, Rectangle box, bool uniformWalk)
    {
        float[] shape = new float[_initialShape.Length];
        PredictCore(new RgbSource(image), box, uniformWalk, shape);
        return shape;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private FullObjectDetection PredictCore<TSource>(TSource src, Rectangle box, bool uniformWalk, float[]? normalized)
        where TSource : struct, IIntensitySource
    {
        int n = _initialShape.Length;
        float[] shapeArr = ArrayPool<float>.Shared.Rent(n);
        float[] featArr = ArrayPool<float>.Shared.Rent(Math.Max(1, _maxFeatures));
        int[] pixelArr = ArrayPool<int>.Shared.Rent(Math.Max(1, _maxFeatures));
        int[] leafArr = ArrayPool<int>.Shared.Rent(Math.Max(1, _maxTrees));
        try
        {
            Span<float> shape = shapeArr.AsSpan(0, n);
            _initialShape.CopyTo(shape);
            double sx = box.Right - box.Left;
            double sy = box.Bottom - box.Top;
            double ox = box.Left;
            double oy = box.Top;
            int rows = src.Rows;
            int cols = src.Cols;

            foreach (Cascade c in _cascades)
            {
                ShapeMath.SimilarityMatrix(_initialShape, shape, out float m00, out float m01, out float m10, out float m11);
                int nf = c.Anchor.Length;
                Span<float> feats = featArr.AsSpan(0, nf);
                Span<int> pixels = pixelArr.AsSpan(0, nf);
                var map = new FeatureMap(m00, m01, m10, m11, sx, sy, ox, oy, rows, cols);
                map.Locate(c, shape, pixels);
                for (int i = 0; i < nf; i++)
                {
                    int at = pixels[i];
                    feats[i] = at < 0 ? 0 : src.At(at);
                }

                int numTrees = c.NumTrees;
                Span<int> leafOffsets = leafArr.AsSpan(0, numTrees);

                // The trees of a level only read the feature pixels, so the walks may run ahead of
                // the leaf additions; the leaves are added in tree order (each part's sum in dlib's
                // order). Complete trees of one depth are walked eight at a time.
                int[] idx1 = c.Idx1;
                int[] idx2 = c.Idx2;
                float[] thresh = c.Thresh;
                int[] splitStart = c.SplitStart;
                int[] leafStart = c.LeafStart;
                int added = 0;
                int first = c.UniformSplits > 0 && uniformWalk ? WalkUniform(c, feats, leafOffsets, shape, out added) : 0;
                for (int t = first; t < numTrees; t++)
                {
                    int s0 = splitStart[t];
                    int ns = splitStart[t + 1] - s0;
                    int i = 0;
                    while (i < ns)
                    {
                        int s = s0 + i;
                        bool left = feats[idx1[s]] - feats[idx2[s]] > thresh[s];
                        i = (2 * i) + 2 - Unsafe.As<bool, byte>(ref left);
                    }

                    leafOffsets[t] = (leafStart[t] + (i - ns)) * n;
                    PrefetchLeaf(c.Leaves, leafOffsets[t], n);
                }

                AddLeaves(shape, c.Leaves, leafOffsets[added..]);
            }

            if (normalized is not null)
            {
                shape.CopyTo(normalized);
            }

            var parts = new Point[n / 2];
            for (int p = 0; p < parts.Length; p++)
            {
                parts[p] = Point.Round((sx * shape[2 * p]) + ox, (sy * shape[(2 * p) + 1]) + oy);
            }

            return new FullObjectDetection(box, parts, noCopy: true);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(shapeArr);
            ArrayPool<float>.Shared.Return(featArr);
            ArrayPool<int>.Shared.Return(pixelArr);
            ArrayPool<int>.Shared.Return(leafArr);
        }
    }


    /// <summary>Trees walked ahead of the leaf additions in <see cref="WalkUniform"/>.</summary>
    private const int AddLag = 32;

    /// <summary>
    /// Walks the trees of a cascade whose trees are all complete and of one depth, eight at a time
    /// (their paths are independent, so the eight chains of dependent loads overlap), prefetching
    /// each leaf as it is found and adding the leaves of the trees <see cref="AddLag"/> back, in
    /// tree order. Returns how many trees were walked (a multiple of eight; the rest are left to the
    /// general walk); <paramref name="added"/> says how many leaves were added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int WalkUniform(Cascade c, ReadOnlySpan<float> feats, Span<int> leafOffsets, Span<float> shape, out int added)
    {
        int ns = c.UniformSplits;
        int n = shape.Length;
        int numTrees = c.NumTrees;
        int done = numTrees & ~7;
        added = 0;
        fixed (float* f = feats)
        fixed (int* i1 = c.Idx1)
        fixed (int* i2 = c.Idx2)
        fixed (float* th = c.Thresh)
        fixed (float* lv = c.Leaves)
        fixed (int* lo = leafOffsets)
        fixed (float* acc = shape)
        {
            for (int t = 0; t < done; t += 8)
            {
                int b0 = t * ns, b1 = b0 + ns, b2 = b1 + ns, b3 = b2 + ns;
                int b4 = b3 + ns, b5 = b4 + ns, b6 = b5 + ns, b7 = b6 + ns;
                int n0 = 0, n1 = 0, n2 = 0, n3 = 0, n4 = 0, n5 = 0, n6 = 0, n7 = 0;
                while (n0 < ns)
                {
                    n0 = Step(f, i1, i2, th, b0, n0);
                    n1 = Step(f, i1, i2, th, b1, n1);
                    n2 = Step(f, i1, i2, th, b2, n2);
                    n3 = Step(f, i1, i2, th, b3, n3);
                    n4 = Step(f, i1, i2, th, b4, n4);
                    n5 = Step(f, i1, i2, th, b5, n5);
                    n6 = Step(f, i1, i2, th, b6, n6);
                    n7 = Step(f, i1, i2, th, b7, n7);
                }

                // Complete trees: tree t's leaves start at t·(ns + 1).
                int l0 = (t * (ns + 1)) - ns;
                lo[t] = (l0 + n0) * n;
                lo[t + 1] = (l0 + (ns + 1) + n1) * n;
                lo[t + 2] = (l0 + (2 * (ns + 1)) + n2) * n;
                lo[t + 3] = (l0 + (3 * (ns + 1)) + n3) * n;
                lo[t + 4] = (l0 + (4 * (ns + 1)) + n4) * n;
                lo[t + 5] = (l0 + (5 * (ns + 1)) + n5) * n;
                lo[t + 6] = (l0 + (6 * (ns + 1)) + n6) * n;
                lo[t + 7] = (l0 + (7 * (ns + 1)) + n7) * n;
                for (int k = t; k < t + 8; k++)
                {
                    PrefetchLeaf(lv + lo[k], n);
                }

                if (t >= AddLag)
                {
                    for (int k = t - AddLag; k < t - AddLag + 8; k++)
                    {
                        AddLeaf(acc, lv + lo[k], n);
                    }

                    added = t - AddLag + 8;
                }
            }
        }

        return done;
    }

    /// <summary>One level of a tree walk: from node <paramref name="node"/> of the tree whose splits start at <paramref name="b"/> to its child.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Step(float* f, int* i1, int* i2, float* th, int b, int node)
    {
        int s = b + node;
        bool left = f[i1[s]] - f[i2[s]] > th[s];
        return (2 * node) + 2 - Unsafe.As<bool, byte>(ref left);
    }

    /// <summary>acc[0..n) += leaf[0..n), element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddLeaf(float* acc, float* leaf, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256.Store(Vector256.Load(acc + i) + Vector256.Load(leaf + i), acc + i);
            }
        }

        for (; i < n; i++)
        {
            acc[i] += leaf[i];
        }
    }

    /// <summary>Asks for the cache lines of one leaf (n floats at <paramref name="leaf"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchLeaf(float* leaf, int n)
    {
        if (Sse.IsSupported)
        {
            for (byte* p = (byte*)leaf, end = (byte*)(leaf + n); p < end; p += 64)
            {
                Sse.Prefetch0(p);
            }

            Sse.Prefetch0(leaf + n - 1);
        }
    }

    private static unsafe void PrefetchLeaf(float[] leaves, int offset, int n)
    {
        fixed (float* lv = leaves)
        {
            PrefetchLeaf(lv + offset, n);
        }
    }

    /// <summary>Adds the leaves in order (each was prefetched when its tree was walked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddLeaves(Span<float> shape, float[] leaves, ReadOnlySpan<int> leafOffsets)
    {
        int n = shape.Length;
        fixed (float* acc = shape)
        fixed (float* lv = leaves)
        {
            foreach (int offset in leafOffsets)
            {
                AddLeaf(acc, lv + offset, n);
            }
        }
    }

    private static (float[] Values, bool NegativeDims) ReadColumnVector(DlibReader reader, int expectedLength)
    {
        (long nr, bool neg) = ReadColumnVectorHeader(reader, expectedLength);
        var values = new float[nr];
        reader.ReadFloats(values);

        return (values, neg);
    }

    /// <summary>Reads a column vector of exactly <c>dest.Length</c> values into <paramref name="dest"/>; returns whether its dimensions were stored negated.</summary>
    private static bool ReadColumnVectorInto(DlibReader reader, Span<float> dest)
    {
        (_, bool neg) = ReadColumnVectorHeader(reader, dest.Length);
        reader.ReadFloats(dest);

        return neg;
    }

    private static (long Rows, bool NegativeDims) ReadColumnVectorHeader(DlibReader reader, int expectedLength)
    {
        long start = reader.Position;
        long nr = reader.ReadInt64();
        long nc = reader.ReadInt64();
        bool neg = nr < 0 || nc < 0;
        if (neg && (nr > 0 || nc > 0))
        {
            throw reader.ErrorAt(start, $"matrix dimensions {nr}x{nc} mix signs");
        }

        nr = Math.Abs(nr);
        nc = Math.Abs(nc);
        if (nc != 1 && !(nr == 0 && nc == 0))
        {
            throw reader.ErrorAt(start, $"expected a column vector, found a {nr}x{nc} matrix");
        }

        if (nr > MaxCount || nr > reader.Remaining / 2)
        {
            throw reader.ErrorAt(start, $"column vector of {nr} values does not fit in the remaining {reader.Remaining} bytes");
        }

        if (expectedLength >= 0 && nr != expectedLength)
        {
            throw reader.ErrorAt(start, $"expected a vector of {expectedLength} values, found {nr}");
        }

        return (nr, neg);
    }

    private static void WriteColumnVector(DlibWriter writer, ReadOnlySpan<float> values, bool negativeDims)
    {
        long nr = values.Length;
        long nc = 1;
        writer.WriteInt(negativeDims ? -nr : nr);
        writer.WriteInt(negativeDims ? -nc : nc);
        foreach (float v in values)
        {
            writer.WriteFloat(v);
        }
    }

    /// <summary>
    /// Where a cascade's feature pixels fall: dlib's similarity transform from the mean shape to the
    /// current shape, then the box's scale and offset, rounded with floor(v + 0.5) in double.
    /// </summary>
    private readonly struct FeatureMap(float m00, float m01, float m10, float m11, double sx, double sy, double ox, double oy, int rows, int cols)
    {
        /// <summary>
        /// Writes each feature's pixel index (row · cols + column), or −1 outside the image, to
        /// <paramref name="pixels"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public unsafe void Locate(Cascade c, ReadOnlySpan<float> shape, Span<int> pixels)
        {
            int nf = c.Anchor.Length;
            int i = 0;
            fixed (float* sh = shape)
            fixed (int* anchor = c.Anchor)
            fixed (float* dxs = c.DeltaX)
            fixed (float* dys = c.DeltaY)
            fixed (int* outp = pixels)
            {
                if (Avx.IsSupported && nf >= 4)
                {
                    Vector256<double> vsx = Vector256.Create(sx), vsy = Vector256.Create(sy);
                    Vector256<double> vox = Vector256.Create(ox), voy = Vector256.Create(oy);
                    Vector256<double> half = Vector256.Create(0.5);
                    Vector256<double> vcols = Vector256.Create((double)cols), vrows = Vector256.Create((double)rows);
                    Vector128<float> a00 = Vector128.Create(m00), a01 = Vector128.Create(m01);
                    Vector128<float> a10 = Vector128.Create(m10), a11 = Vector128.Create(m11);
                    Vector128<int> colsI = Vector128.Create(cols);
                    for (; i + 4 <= nf; i += 4)
                    {
                        Vector128<float> dx = Vector128.Load(dxs + i);
                        Vector128<float> dy = Vector128.Load(dys + i);
                        int q0 = anchor[i] * 2, q1 = anchor[i + 1] * 2, q2 = anchor[i + 2] * 2, q3 = anchor[i + 3] * 2;
                        Vector128<float> bx = Vector128.Create(sh[q0], sh[q1], sh[q2], sh[q3]);
                        Vector128<float> by = Vector128.Create(sh[q0 + 1], sh[q1 + 1], sh[q2 + 1], sh[q3 + 1]);

                        // The same float operations, in the same order, as the scalar path.
                        Vector128<float> fx = ((a00 * dx) + (a01 * dy)) + bx;
                        Vector128<float> fy = ((a10 * dx) + (a11 * dy)) + by;
                        Vector256<double> px = Avx.RoundToNegativeInfinity(((vsx * Avx.ConvertToVector256Double(fx)) + vox) + half);
                        Vector256<double> py = Avx.RoundToNegativeInfinity(((vsy * Avx.ConvertToVector256Double(fy)) + voy) + half);
                        Vector256<double> inside =
                            Avx.CompareGreaterThanOrEqual(px, Vector256<double>.Zero) & Avx.CompareGreaterThanOrEqual(py, Vector256<double>.Zero) &
                            Avx.CompareLessThan(px, vcols) & Avx.CompareLessThan(py, vrows);

                        // Lanes outside the image are converted from 0 and then replaced by −1.
                        Vector128<int> ix = Avx.ConvertToVector128Int32WithTruncation(px & inside);
                        Vector128<int> iy = Avx.ConvertToVector128Int32WithTruncation(py & inside);
                        Vector128<int> at = (iy * colsI) + ix;
                        Vector128.Store(Vector128.ConditionalSelect(NarrowMask(inside), at, Vector128.Create(-1)), outp + i);
                    }
                }

                for (; i < nf; i++)
                {
                    float dx = dxs[i];
                    float dy = dys[i];
                    int a = anchor[i] * 2;
                    float fx = (m00 * dx) + (m01 * dy);
                    float fy = (m10 * dx) + (m11 * dy);
                    fx += sh[a];
                    fy += sh[a + 1];
                    double px = Math.Floor((sx * fx) + ox + 0.5);
                    double py = Math.Floor((sy * fy) + oy + 0.5);
                    outp[i] = px >= 0 && py >= 0 && px < cols && py < rows ? ((int)py * cols) + (int)px : -1;
                }
            }
        }

        /// <summary>The four 64-bit lane masks of a double comparison as four 32-bit lane masks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<int> NarrowMask(Vector256<double> mask)
        {
            return Sse.Shuffle(mask.GetLower().AsSingle(), mask.GetUpper().AsSingle(), 0b10_00_10_00).AsInt32();
        }
    }

    private interface IIntensitySource
    {
        int Rows { get; }

        int Cols { get; }

        /// <summary>The intensity of pixel <paramref name="index"/> (row · Cols + column).</summary>
        float At(int index);
    }

    private readonly struct RgbSource(RgbImage img) : IIntensitySource
    {
        private readonly byte[] _px = img.Pixels;

        public int Rows { get; } = img.Rows;

        public int Cols { get; } = img.Cols;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int index)
        {
            int o = index * 3;
            return (_px[o] + _px[o + 1] + _px[o + 2]) / 3;
        }
    }

    private readonly struct GraySource(GrayImage img) : IIntensitySource
    {
        private readonly byte[] _px = img.Pixels;

        public int Rows { get; } = img.Rows;

        public int Cols { get; } = img.Cols;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int index) => _px[index];
    }

    private sealed class Cascade
    {
        public required int NumTrees { get; init; }

        public required int[] SplitStart { get; init; }

        /// <summary>
        /// The splits of every tree when all trees are complete binary trees of one depth (2^d − 1
        /// splits, 2^d leaves, as dlib's trainer makes them); 0 otherwise.
        /// </summary>
        public required int UniformSplits { get; init; }

        public required int[] LeafStart { get; init; }

        public required int[] Idx1 { get; init; }

        public required int[] Idx2 { get; init; }

        public required float[] Thresh { get; init; }

        public required float[] Leaves { get; init; }

        public required bool[] LeafNegativeDims { get; init; }

        public required int[] Anchor { get; init; }

        public required float[] DeltaX { get; init; }

        public required float[] DeltaY { get; init; }

        internal sealed class Builder
        {
            private int[] _splitStart = [];
            private int[] _leafStart = [];
            private long[] _idx1 = [];
            private long[] _idx2 = [];
            private float[] _thresh = [];
            private float[] _leaves = [];
            private bool[] _leafNeg = [];
            private int _numSplits;
            private int _numLeaves;
            private int _numTrees;
            private int _shapeLength;

            public int[]? Anchor { get; set; }

            public float[]? DeltaX { get; set; }

            public float[]? DeltaY { get; set; }

            public static Builder ReadTrees(DlibReader reader, int shapeLength)
            {
                var b = new Builder { _shapeLength = shapeLength };
                long numTrees = reader.ReadSize("number of trees", MaxCount);

                // The arrays are sized from the first tree (dlib's trees all have the same depth) and
                // grow only for files whose trees differ; leaves are read straight into place.
                // Every tree takes at least two bytes, so a valid count is below Remaining / 2.
                long cap = Math.Min(numTrees, reader.Remaining / 2) + 1;
                b._splitStart = new int[cap];
                b._leafStart = new int[cap];
                for (long t = 0; t < numTrees; t++)
                {
                    using var ts = reader.Enter($"tree {t}");
                    long numSplits = reader.ReadSize("number of splits", 1 << 24);
                    if (t == 0)
                    {
                        long guess = Math.Min(numTrees * numSplits, reader.Remaining / 4);
                        b._idx1 = new long[guess];
                        b._idx2 = new long[guess];
                        b._thresh = new float[guess];
                    }

                    for (long s = 0; s < numSplits; s++)
                    {
                        b.EnsureSplit();
                        b._idx1[b._numSplits] = reader.ReadInt64();
                        b._idx2[b._numSplits] = reader.ReadInt64();
                        b._thresh[b._numSplits] = reader.ReadFloat();
                        b._numSplits++;
                    }

                    long leafStart = reader.Position;
                    long numLeaves = reader.ReadSize("number of leaves", 1 << 25);
                    if (numLeaves != numSplits + 1 || (numLeaves & (numLeaves - 1)) != 0)
                    {
                        throw reader.ErrorAt(leafStart, $"a tree with {numSplits} splits must have {numSplits + 1} leaves (a power of two), found {numLeaves}");
                    }

                    if (t == 0)
                    {
                        long guess = Math.Min(numTrees * numLeaves, reader.Remaining / Math.Max(2, 2 * shapeLength));
                        b._leafNeg = new bool[guess];
                        b._leaves = new float[guess * shapeLength];
                    }

                    for (long l = 0; l < numLeaves; l++)
                    {
                        b.EnsureLeaf();
                        b._leafNeg[b._numLeaves] = ReadColumnVectorInto(reader, b._leaves.AsSpan(b._numLeaves * shapeLength, shapeLength));
                        b._numLeaves++;
                    }

                    b._numTrees++;
                    b._splitStart[b._numTrees] = b._numSplits;
                    b._leafStart[b._numTrees] = b._numLeaves;
                }

                return b;
            }

            private static T[] Trim<T>(T[] a, int length) => a.Length == length ? a : a.AsSpan(0, length).ToArray();

            // Grows by doubling, one item at a time, so a corrupt count fails on the data that is
            // actually missing rather than on a huge allocation.
            private void EnsureSplit()
            {
                if (_numSplits == _idx1.Length)
                {
                    int cap = Math.Max(16, 2 * _idx1.Length);
                    Array.Resize(ref _idx1, cap);
                    Array.Resize(ref _idx2, cap);
                    Array.Resize(ref _thresh, cap);
                }
            }

            private void EnsureLeaf()
            {
                if (_numLeaves == _leafNeg.Length)
                {
                    int cap = Math.Max(16, 2 * _leafNeg.Length);
                    Array.Resize(ref _leafNeg, cap);
                    Array.Resize(ref _leaves, checked(cap * _shapeLength));
                }
            }

            public Cascade Build(DlibReader reader, int level)
            {
                int nf = Anchor!.Length;
                var idx1 = new int[_numSplits];
                var idx2 = new int[_numSplits];
                for (int i = 0; i < idx1.Length; i++)
                {
                    long a = _idx1[i];
                    long b = _idx2[i];
                    if (a < 0 || a >= nf || b < 0 || b >= nf)
                    {
                        throw reader.Error($"cascade {level} has a split on feature pixels {a} and {b}, but only {nf} feature pixels");
                    }

                    idx1[i] = (int)a;
                    idx2[i] = (int)b;
                }

                int uniform = _numTrees > 0 ? _splitStart[1] : 0;
                for (int t = 0; t < _numTrees && uniform > 0; t++)
                {
                    int ns = _splitStart[t + 1] - _splitStart[t];
                    if (ns != uniform || ((ns + 1) & ns) != 0 || _leafStart[t + 1] - _leafStart[t] != ns + 1)
                    {
                        uniform = 0;
                    }
                }

                return new Cascade
                {
                    NumTrees = _numTrees,
                    SplitStart = _splitStart,
                    UniformSplits = uniform,
                    LeafStart = _leafStart,
                    Idx1 = idx1,
                    Idx2 = idx2,
                    Thresh = Trim(_thresh, _numSplits),
                    Leaves = Trim(_leaves, _numLeaves * _shapeLength),
                    LeafNegativeDims = Trim(_leafNeg, _numLeaves),
                    Anchor = Anchor,
                    DeltaX = DeltaX!,
                    DeltaY = DeltaY!,
                };
            }
        }
    }
}
