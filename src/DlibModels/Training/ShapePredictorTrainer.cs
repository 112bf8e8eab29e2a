using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Randomness;
using DlibModels.Serialization;

namespace DlibModels.Training;

/// <summary>Where the feature pool pixels are sampled (dlib's <c>padding_mode_t</c>).</summary>
public enum ShapePaddingMode
{
    /// <summary>Around the union of the unit box [0,1]² and the mean shape, plus padding.</summary>
    BoundingBoxRelative,

    /// <summary>Around the mean shape's bounding box, plus padding (dlib's default).</summary>
    LandmarkRelative,
}

/// <summary>The settings of <see cref="ShapePredictorTrainer"/>; defaults are dlib 19.24's.</summary>
public sealed record ShapePredictorTrainerOptions
{
    /// <summary>Number of cascade levels (default 10).</summary>
    public int CascadeDepth { get; init; } = 10;

    /// <summary>Depth of each regression tree (default 4: 15 splits, 16 leaves).</summary>
    public int TreeDepth { get; init; } = 4;

    /// <summary>Trees per cascade level (default 500).</summary>
    public int NumTreesPerCascadeLevel { get; init; } = 500;

    /// <summary>Shrinkage (learning rate) in (0, 1] (default 0.1).</summary>
    public double Nu { get; init; } = 0.1;

    /// <summary>Random initial shapes per object (default 20).</summary>
    public int OversamplingAmount { get; init; } = 20;

    /// <summary>Random translation of the initial shapes, in box-relative units (default 0).</summary>
    public double OversamplingTranslationJitter { get; init; }

    /// <summary>Pixels sampled per cascade level (default 400, at least 2).</summary>
    public int FeaturePoolSize { get; init; } = 400;

    /// <summary>Prior preferring nearby pixel pairs: accept probability exp(-distance/lambda) (default 0.1).</summary>
    public double Lambda { get; init; } = 0.1;

    /// <summary>Random splits tried per tree node (default 20).</summary>
    public int NumTestSplits { get; init; } = 20;

    /// <summary>Padding of the feature pool region, box-relative, greater than -0.5 (default 0).</summary>
    public double FeaturePoolRegionPadding { get; init; }

    /// <summary>Feature pool region mode (default landmark relative).</summary>
    public ShapePaddingMode PaddingMode { get; init; } = ShapePaddingMode.LandmarkRelative;

    /// <summary>Seed of dlib::rand (default "", dlib's default).</summary>
    public string RandomSeed { get; init; } = string.Empty;

    /// <summary>
    /// Threads (dlib's <c>set_num_threads</c>; 0 or 1 = sequential). As in dlib, the trained model
    /// depends on this number only through the summation order of one sum per tree.
    /// </summary>
    public int NumThreads { get; init; }

    /// <summary>Throws when a setting is outside dlib's allowed range.</summary>
    public void Validate()
    {
        if (CascadeDepth <= 0 || TreeDepth <= 0 || TreeDepth > 20 || NumTreesPerCascadeLevel <= 0 || OversamplingAmount <= 0 || NumTestSplits <= 0)
        {
            throw new ArgumentException("cascade depth, tree depth (1..20), trees per level, oversampling amount and test splits must be positive");
        }

        if (!(Nu > 0 && Nu <= 1))
        {
            throw new ArgumentException($"nu must be in (0, 1], got {Nu}");
        }

        if (FeaturePoolSize <= 1)
        {
            throw new ArgumentException($"the feature pool size must be at least 2, got {FeaturePoolSize}");
        }

        if (!(Lambda > 0))
        {
            throw new ArgumentException($"lambda must be positive, got {Lambda}");
        }

        if (!(OversamplingTranslationJitter >= 0))
        {
            throw new ArgumentException("the oversampling translation jitter must be >= 0");
        }

        if (!(FeaturePoolRegionPadding > -0.5))
        {
            throw new ArgumentException("the feature pool region padding must be > -0.5");
        }

        if (NumThreads < 0)
        {
            throw new ArgumentException("threads must be >= 0");
        }
    }
}

/// <summary>
/// dlib 19.24's <c>shape_predictor_trainer</c> (Kazemi and Sullivan's ensemble of regression
/// trees): the same sample construction, random draws from <see cref="DlibRandom"/> in the same order,
/// the same split search and float arithmetic, producing a <see cref="ShapePredictor"/> that is
/// written in dlib's format.
/// </summary>
public sealed class ShapePredictorTrainer
{
    private readonly ShapePredictorTrainerOptions _o;
    private readonly DlibRandom _rnd;

    /// <summary>Creates a trainer.</summary>
    public ShapePredictorTrainer(ShapePredictorTrainerOptions? options = null)
    {
        _o = options ?? new ShapePredictorTrainerOptions();
        _o.Validate();
        _rnd = new DlibRandom(_o.RandomSeed);
    }

    /// <summary>The settings.</summary>
    public ShapePredictorTrainerOptions Options => _o;

    /// <summary>Trains on a loaded set; <paramref name="progress"/> gets (trees done, trees total) after every tree.</summary>
    public ShapePredictor Train(LandmarkTrainingSet set, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Train(set.Images, set.Objects, progress, cancel);
    }

    /// <summary>Trains on images and their objects (each object's parts; not-present parts allowed).</summary>
    /// <exception cref="ArgumentException">No objects, inconsistent part counts, or a part never present.</exception>
    public ShapePredictor Train(IReadOnlyList<GrayImage> images, IReadOnlyList<IReadOnlyList<FullObjectDetection>> objects, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        byte[] model = TrainToBytes(images, objects, progress, cancel);
        return ShapePredictor.Read(new DlibReader(model, "trained shape predictor"));
    }

    /// <summary>As <see cref="Train(IReadOnlyList{GrayImage}, IReadOnlyList{IReadOnlyList{FullObjectDetection}}, Action{int, int}?, CancellationToken)"/>, returning the serialized model (dlib's format).</summary>
    public byte[] TrainToBytes(IReadOnlyList<GrayImage> images, IReadOnlyList<IReadOnlyList<FullObjectDetection>> objects, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(objects);
        if (images.Count != objects.Count || images.Count == 0)
        {
            throw new ArgumentException($"images ({images.Count}) and objects ({objects.Count}) must be non-empty and of equal length");
        }

        int numParts = 0;
        bool[]? partPresent = null;
        foreach (IReadOnlyList<FullObjectDetection> list in objects)
        {
            foreach (FullObjectDetection o in list)
            {
                if (numParts == 0)
                {
                    numParts = o.NumParts;
                    if (numParts == 0)
                    {
                        throw new ArgumentException("objects without parts cannot train a shape model");
                    }

                    partPresent = new bool[numParts];
                }
                else if (o.NumParts != numParts)
                {
                    throw new ArgumentException($"all objects must have the same number of parts ({numParts}); found one with {o.NumParts}");
                }

                for (int p = 0; p < numParts; p++)
                {
                    partPresent![p] |= o.Part(p) != Datasets.DatasetBox.PartNotPresent;
                }
            }
        }

        if (numParts == 0)
        {
            throw new ArgumentException("there is no object with parts to train on");
        }

        if (Array.IndexOf(partPresent!, false) >= 0)
        {
            throw new ArgumentException($"part {Array.IndexOf(partPresent!, false)} is never present in the training data");
        }

        _rnd.SetSeed(_o.RandomSeed);
        var run = new Run(this, images, objects, numParts, progress, cancel);
        return run.Execute();
    }

    private sealed class Run
    {
        private readonly ShapePredictorTrainerOptions _o;
        private readonly DlibRandom _rnd;
        private readonly IReadOnlyList<GrayImage> _images;
        private readonly IReadOnlyList<IReadOnlyList<FullObjectDetection>> _objects;
        private readonly Action<int, int>? _progress;
        private readonly CancellationToken _cancel;
        private readonly int _n;
        private readonly int _f;
        private readonly int _workers;
        private readonly ParallelOptions _par;

        // Sample data, addressed by sample id; _order is dlib's current arrangement of the samples.
        private int _count;
        private int[] _imageIdx = [];
        private Rectangle[] _rect = [];
        private float[] _target = [];
        private float[] _present = [];
        private float[] _current = [];
        private float[] _diff = [];
        private byte[] _feat = [];
        private int[] _order = [];

        public Run(ShapePredictorTrainer t, IReadOnlyList<GrayImage> images, IReadOnlyList<IReadOnlyList<FullObjectDetection>> objects, int numParts, Action<int, int>? progress, CancellationToken cancel)
        {
            _o = t._o;
            _rnd = t._rnd;
            _images = images;
            _objects = objects;
            _progress = progress;
            _cancel = cancel;
            _n = numParts * 2;
            _f = _o.FeaturePoolSize;
            _workers = _o.NumThreads > 1 ? _o.NumThreads : 0;
            _par = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _o.NumThreads), CancellationToken = cancel };
        }

        public byte[] Execute()
        {
            float[] initial = PopulateSamples();
            float[][] pixelCoords = SamplePixelCoordinates(initial);
            int total = _o.CascadeDepth * _o.NumTreesPerCascadeLevel;
            int done = 0;
            var forests = new List<Tree>[_o.CascadeDepth];
            var anchors = new int[_o.CascadeDepth][];
            var deltas = new float[_o.CascadeDepth][];
            for (int cascade = 0; cascade < _o.CascadeDepth; cascade++)
            {
                (anchors[cascade], deltas[cascade]) = Encode(initial, pixelCoords[cascade]);
                int[] a = anchors[cascade];
                float[] d = deltas[cascade];
                Parallel.For(0, _count, _par, i => ExtractFeatures(i, initial, a, d));
                forests[cascade] = [];
                for (int k = 0; k < _o.NumTreesPerCascadeLevel; k++)
                {
                    _cancel.ThrowIfCancellationRequested();
                    forests[cascade].Add(MakeTree(pixelCoords[cascade]));
                    _progress?.Invoke(++done, total);
                }
            }

            return Serialize(initial, forests, anchors, deltas);
        }

        private float[] PopulateSamples()
        {
            int amount = _o.OversamplingAmount;
            int objectsTotal = 0;
            foreach (IReadOnlyList<FullObjectDetection> l in _objects)
            {
                objectsTotal += l.Count;
            }

            _count = checked(objectsTotal * amount);
            _imageIdx = new int[_count];
            _rect = new Rectangle[_count];
            _target = new float[checked(_count * _n)];
            _present = new float[_count * _n];
            _current = new float[_count * _n];
            _diff = new float[_count * _n];
            _feat = new byte[checked(_count * _f)];
            _order = new int[_count];
            var mean = new float[_n];
            var cnt = new float[_n];
            var shape = new float[_n];
            var present = new float[_n];
            int s = 0;
            for (int i = 0; i < _objects.Count; i++)
            {
                foreach (FullObjectDetection o in _objects[i])
                {
                    ObjectToShape(o, shape, present);
                    for (int k = 0; k < amount; k++)
                    {
                        _imageIdx[s] = i;
                        _rect[s] = o.Rect;
                        shape.CopyTo(_target, s * _n);
                        present.CopyTo(_present, s * _n);
                        s++;
                    }

                    for (int k = 0; k < _n; k++)
                    {
                        mean[k] += shape[k];
                        cnt[k] += present[k];
                    }
                }
            }

            for (int k = 0; k < _n; k++)
            {
                mean[k] *= Reciprocal(cnt[k]);
            }

            var hits = new float[_n];
            for (int i = 0; i < _count; i++)
            {
                _order[i] = i;
                Span<float> cur = _current.AsSpan(i * _n, _n);
                if (i % amount == 0)
                {
                    mean.CopyTo(cur);
                    continue;
                }

                cur.Clear();
                Array.Clear(hits);
                int iter = 0;
                while (Min(hits) == 0 || iter < 2)
                {
                    iter++;
                    int idx = (int)(_rnd.GetRandom32BitNumber() % (uint)_count);
                    float alpha = (float)(_rnd.GetRandomDouble() + 0.1);
                    ReadOnlySpan<float> tgt = _target.AsSpan(idx * _n, _n);
                    ReadOnlySpan<float> prs = _present.AsSpan(idx * _n, _n);
                    for (int k = 0; k < _n; k++)
                    {
                        cur[k] += alpha * tgt[k];
                        hits[k] += alpha * prs[k];
                    }
                }

                for (int k = 0; k < _n; k++)
                {
                    cur[k] *= Reciprocal(hits[k]);
                }

                if (_o.OversamplingTranslationJitter != 0)
                {
                    double j = _o.OversamplingTranslationJitter;
                    double offX = _rnd.GetDoubleInRange(-j, j);
                    double offY = _rnd.GetDoubleInRange(-j, j);
                    for (int k = 0; k < _n / 2; k++)
                    {
                        cur[2 * k] = (float)(cur[2 * k] + offX);
                        cur[(2 * k) + 1] = (float)(cur[(2 * k) + 1] + offY);
                    }
                }
            }

            for (int i = 0; i < _count * _n; i++)
            {
                if (_present[i] == 0)
                {
                    _target[i] = _current[i];
                }
            }

            return mean;
        }

        private static void ObjectToShape(FullObjectDetection o, float[] shape, float[] present)
        {
            Rectangle r = o.Rect;
            double w = r.Right - r.Left;
            double h = r.Bottom - r.Top;
            for (int p = 0; p < o.NumParts; p++)
            {
                Point q = o.Part(p);
                if (q != Datasets.DatasetBox.PartNotPresent)
                {
                    shape[2 * p] = (float)((q.X - r.Left) / w);
                    shape[(2 * p) + 1] = (float)((q.Y - r.Top) / h);
                    present[2 * p] = 1;
                    present[(2 * p) + 1] = 1;
                }
                else
                {
                    shape[2 * p] = 0;
                    shape[(2 * p) + 1] = 0;
                    present[2 * p] = 0;
                    present[(2 * p) + 1] = 0;
                }
            }
        }

        private float[][] SamplePixelCoordinates(float[] initial)
        {
            double minX = double.PositiveInfinity, minY = double.PositiveInfinity;
            double maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
            for (int p = 0; p < _n / 2; p++)
            {
                minX = Math.Min(minX, initial[2 * p]);
                maxX = Math.Max(maxX, initial[2 * p]);
                minY = Math.Min(minY, initial[(2 * p) + 1]);
                maxY = Math.Max(maxY, initial[(2 * p) + 1]);
            }

            if (_o.PaddingMode == ShapePaddingMode.BoundingBoxRelative)
            {
                minX = Math.Min(0.0, minX);
                minY = Math.Min(0.0, minY);
                maxX = Math.Max(1.0, maxX);
                maxY = Math.Max(1.0, maxY);
            }

            double pad = _o.FeaturePoolRegionPadding;
            minX -= pad;
            minY -= pad;
            maxX += pad;
            maxY += pad;
            var result = new float[_o.CascadeDepth][];
            for (int c = 0; c < result.Length; c++)
            {
                var pc = new float[2 * _f];
                for (int i = 0; i < _f; i++)
                {
                    pc[2 * i] = (float)((_rnd.GetRandomDouble() * (maxX - minX)) + minX);
                    pc[(2 * i) + 1] = (float)((_rnd.GetRandomDouble() * (maxY - minY)) + minY);
                }

                result[c] = pc;
            }

            return result;
        }

        private (int[] Anchor, float[] Deltas) Encode(float[] shape, float[] pc)
        {
            var anchor = new int[_f];
            var deltas = new float[2 * _f];
            for (int i = 0; i < _f; i++)
            {
                float x = pc[2 * i], y = pc[(2 * i) + 1];
                float best = float.PositiveInfinity;
                int bestIdx = 0;
                for (int j = 0; j < _n / 2; j++)
                {
                    float dx = shape[2 * j] - x;
                    float dy = shape[(2 * j) + 1] - y;
                    float d = (dx * dx) + (dy * dy);
                    if (d < best)
                    {
                        best = d;
                        bestIdx = j;
                    }
                }

                anchor[i] = bestIdx;
                deltas[2 * i] = x - shape[2 * bestIdx];
                deltas[(2 * i) + 1] = y - shape[(2 * bestIdx) + 1];
            }

            return (anchor, deltas);
        }

        private void ExtractFeatures(int s, float[] initial, int[] anchor, float[] deltas)
        {
            ReadOnlySpan<float> cur = _current.AsSpan(s * _n, _n);
            ShapeMath.SimilarityMatrix(initial, cur, out float m00, out float m01, out float m10, out float m11);
            GrayImage img = _images[_imageIdx[s]];
            Rectangle box = _rect[s];
            double sx = box.Right - box.Left, sy = box.Bottom - box.Top, ox = box.Left, oy = box.Top;
            byte[] px = img.Pixels;
            int rows = img.Rows, cols = img.Cols;
            Span<byte> f = _feat.AsSpan(s * _f, _f);
            for (int i = 0; i < _f; i++)
            {
                float dx = deltas[2 * i], dy = deltas[(2 * i) + 1];
                int a = anchor[i] * 2;
                float fx = (m00 * dx) + (m01 * dy);
                float fy = (m10 * dx) + (m11 * dy);
                fx += cur[a];
                fy += cur[a + 1];
                double x = Math.Floor((sx * fx) + ox + 0.5);
                double y = Math.Floor((sy * fy) + oy + 0.5);
                f[i] = x >= 0 && y >= 0 && x < cols && y < rows ? px[((int)y * cols) + (int)x] : (byte)0;
            }
        }

        private Tree MakeTree(float[] pixelCoords)
        {
            int numSplitNodes = (1 << _o.TreeDepth) - 1;
            var sums = new float[(2 * numSplitNodes) + 1][];
            var sum0 = new float[_n];
            if (_workers > 1)
            {
                int blockSize = Math.Max(1, (_count + _workers - 1) / _workers);
                var blockSums = new float[_workers][];
                Parallel.For(0, _workers, _par, block =>
                {
                    var bs = new float[_n];
                    int b0 = block * blockSize, b1 = Math.Min(_count, b0 + blockSize);
                    for (int i = b0; i < b1; i++)
                    {
                        DiffAndAdd(_order[i], bs);
                    }

                    blockSums[block] = bs;
                });
                foreach (float[] bs in blockSums)
                {
                    Add(sum0, bs);
                }
            }
            else
            {
                for (int i = 0; i < _count; i++)
                {
                    DiffAndAdd(_order[i], sum0);
                }
            }

            sums[0] = sum0;
            var ranges = new Queue<(int Begin, int End)>();
            ranges.Enqueue((0, _count));
            var tree = new Tree { Splits = new Split[numSplitNodes], Leaves = new float[numSplitNodes + 1][] };
            for (int i = 0; i < numSplitNodes; i++)
            {
                (int begin, int end) = ranges.Dequeue();
                Split split = GenerateSplit(begin, end, pixelCoords, sums[i], out sums[(2 * i) + 1], out sums[(2 * i) + 2]);
                tree.Splits[i] = split;
                int mid = Partition(split, begin, end);
                ranges.Enqueue((begin, mid));
                ranges.Enqueue((mid, end));
            }

            float nu = (float)_o.Nu;
            var counts = new float[_n];
            int leaf = 0;
            foreach ((int begin, int end) in ranges)
            {
                Array.Clear(counts);
                for (int j = begin; j < end; j++)
                {
                    Add(counts, _present.AsSpan(_order[j] * _n, _n));
                }

                var value = new float[_n];
                if (end != begin)
                {
                    float[] s = sums[numSplitNodes + leaf];
                    for (int k = 0; k < _n; k++)
                    {
                        value[k] = Reciprocal(counts[k]) * (s[k] * nu);
                    }
                }

                tree.Leaves[leaf] = value;
                Parallel.For(begin, end, _par, j =>
                {
                    int id = _order[j];
                    Span<float> cur = _current.AsSpan(id * _n, _n);
                    Add(cur, value);
                    ReadOnlySpan<float> prs = _present.AsSpan(id * _n, _n);
                    Span<float> tgt = _target.AsSpan(id * _n, _n);
                    for (int k = 0; k < _n; k++)
                    {
                        if (prs[k] == 0)
                        {
                            tgt[k] = cur[k];
                        }
                    }
                });
                leaf++;
            }

            return tree;
        }

        private void DiffAndAdd(int id, float[] acc)
        {
            ReadOnlySpan<float> t = _target.AsSpan(id * _n, _n);
            ReadOnlySpan<float> c = _current.AsSpan(id * _n, _n);
            Span<float> d = _diff.AsSpan(id * _n, _n);
            for (int k = 0; k < _n; k++)
            {
                d[k] = t[k] - c[k];
            }

            Add(acc, d);
        }

        private Split RandomSplitFeature(float[] pc)
        {
            long pool = _f;
            long maxIters = pool * pool;
            int idx1 = 0, idx2 = 0;
            for (long i = 0; i < maxIters; i++)
            {
                idx1 = (int)_rnd.GetInteger(pool);
                idx2 = (int)_rnd.GetInteger(pool);
                while (idx1 == idx2)
                {
                    idx2 = (int)_rnd.GetInteger(pool);
                }

                float dx = pc[2 * idx1] - pc[2 * idx2];
                float dy = pc[(2 * idx1) + 1] - pc[(2 * idx2) + 1];
                double dist = Math.Sqrt((double)((dx * dx) + (dy * dy)));
                double accept = Math.Exp(-dist / _o.Lambda);
                if (accept > _rnd.GetRandomDouble())
                {
                    break;
                }
            }

            float thresh = (float)(((_rnd.GetRandomDouble() * 256) - 128) / 2.0);
            return new Split(idx1, idx2, thresh);
        }

        private Split GenerateSplit(int begin, int end, float[] pc, float[] sum, out float[] leftSum, out float[] rightSum)
        {
            int numTests = _o.NumTestSplits;
            var feats = new Split[numTests];
            for (int i = 0; i < numTests; i++)
            {
                feats[i] = RandomSplitFeature(pc);
            }

            var leftSums = new float[numTests][];
            var leftCnt = new int[numTests];
            int workers = Math.Max(1, _o.NumThreads);
            int blockSize = Math.Max(1, (numTests + workers - 1) / workers);
            Parallel.For(0, workers, _par, block =>
            {
                int b0 = block * blockSize, b1 = Math.Min(b0 + blockSize, numTests);
                for (int i = b0; i < b1; i++)
                {
                    leftSums[i] = new float[_n];
                }

                for (int j = begin; j < end; j++)
                {
                    int id = _order[j];
                    int fo = id * _f;
                    ReadOnlySpan<float> d = _diff.AsSpan(id * _n, _n);
                    for (int i = b0; i < b1; i++)
                    {
                        Split s = feats[i];
                        if ((float)_feat[fo + s.Idx1] - _feat[fo + s.Idx2] > s.Thresh)
                        {
                            Add(leftSums[i], d);
                            leftCnt[i]++;
                        }
                    }
                }
            });

            double bestScore = -1;
            int best = 0;
            var temp = new float[_n];
            for (int i = 0; i < numTests; i++)
            {
                int right = end - begin - leftCnt[i];
                if (leftCnt[i] != 0 && right != 0)
                {
                    float[] ls = leftSums[i];
                    for (int k = 0; k < _n; k++)
                    {
                        temp[k] = sum[k] - ls[k];
                    }

                    float score = (Dot(ls) / leftCnt[i]) + (Dot(temp) / right);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        best = i;
                    }
                }
            }

            if (leftCnt[best] != 0)
            {
                leftSum = leftSums[best];
                rightSum = new float[_n];
                for (int k = 0; k < _n; k++)
                {
                    rightSum[k] = sum[k] - leftSum[k];
                }
            }
            else
            {
                rightSum = (float[])sum.Clone();
                leftSum = new float[_n];
            }

            return feats[best];
        }

        private int Partition(Split split, int begin, int end)
        {
            int i = begin;
            for (int j = begin; j < end; j++)
            {
                int fo = _order[j] * _f;
                if ((float)_feat[fo + split.Idx1] - _feat[fo + split.Idx2] > split.Thresh)
                {
                    (_order[i], _order[j]) = (_order[j], _order[i]);
                    i++;
                }
            }

            return i;
        }

        private byte[] Serialize(float[] initial, List<Tree>[] forests, int[][] anchors, float[][] deltas)
        {
            using var ms = new MemoryStream();
            var w = new DlibWriter(ms);
            w.WriteInt(1);
            WriteVector(w, initial);
            w.WriteInt(forests.Length);
            foreach (List<Tree> forest in forests)
            {
                w.WriteInt(forest.Count);
                foreach (Tree t in forest)
                {
                    w.WriteInt(t.Splits.Length);
                    foreach (Split s in t.Splits)
                    {
                        w.WriteInt(s.Idx1);
                        w.WriteInt(s.Idx2);
                        w.WriteFloat(s.Thresh);
                    }

                    w.WriteInt(t.Leaves.Length);
                    foreach (float[] leaf in t.Leaves)
                    {
                        WriteVector(w, leaf);
                    }
                }
            }

            w.WriteInt(anchors.Length);
            foreach (int[] a in anchors)
            {
                w.WriteInt(a.Length);
                foreach (int v in a)
                {
                    w.WriteInt(v);
                }
            }

            w.WriteInt(deltas.Length);
            foreach (float[] d in deltas)
            {
                w.WriteInt(d.Length / 2);
                foreach (float v in d)
                {
                    w.WriteFloat(v);
                }
            }

            return ms.ToArray();
        }

        private static void WriteVector(DlibWriter w, float[] v)
        {
            // dlib 19.24 writes matrix dimensions negated (its marker of the current matrix format).
            w.WriteInt(-v.Length);
            w.WriteInt(-1);
            foreach (float x in v)
            {
                w.WriteFloat(x);
            }
        }

        private float Dot(float[] v)
        {
            float acc = 0;
            for (int k = 0; k < _n; k++)
            {
                acc += v[k] * v[k];
            }

            return acc;
        }

        private static float Min(float[] v)
        {
            float m = float.PositiveInfinity;
            foreach (float x in v)
            {
                m = Math.Min(m, x);
            }

            return m;
        }

        private static float Reciprocal(float x) => x != 0 ? 1 / x : 0;

        private static void Add(Span<float> acc, ReadOnlySpan<float> add)
        {
            // Element-wise float adds: the same results as dlib's matrix += in any vector width.
            int n = acc.Length;
            int i = 0;
            ref float a = ref MemoryMarshal.GetReference(acc);
            ref float b = ref MemoryMarshal.GetReference(add);
            if (Vector.IsHardwareAccelerated)
            {
                int w = Vector<float>.Count;
                for (; i <= n - w; i += w)
                {
                    Vector<float> sum = Vector.LoadUnsafe(ref a, (nuint)i) + Vector.LoadUnsafe(ref b, (nuint)i);
                    sum.StoreUnsafe(ref a, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                Unsafe.Add(ref a, i) += Unsafe.Add(ref b, i);
            }
        }
    }

    private readonly record struct Split(int Idx1, int Idx2, float Thresh);

    private sealed class Tree
    {
        public required Split[] Splits { get; init; }

        public required float[][] Leaves { get; init; }
    }
}
