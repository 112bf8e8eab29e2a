using DlibModels.Detection;
using DlibModels.Detection.Hog;
using DlibModels.Imaging;

namespace DlibModels.Training;

/// <summary>
/// dlib's <c>structural_svm_object_detection_problem</c> over <c>scan_fhog_pyramid</c>, with the
/// oracle cache and stopping logic of <c>structural_svm_problem</c> and the sample loop of
/// <c>structural_svm_problem_threaded</c> (sums are taken in sample order, so the result does not
/// depend on the thread count).
/// </summary>
internal sealed class HogDetectionProblem : IOcaProblem
{
    private readonly HogDetectorTrainerOptions _o;
    private readonly HogObjectDetector _config;
    private readonly HogPlanes[][] _pyramids;
    private readonly IReadOnlyList<IReadOnlyList<Rectangle>> _truth;
    private readonly IReadOnlyList<IReadOnlyList<Rectangle>>? _ignore;
    private readonly Action<HogTrainingProgress>? _progress;
    private readonly CancellationToken _cancel;
    private readonly int _fw, _fh, _featDims;
    private readonly int _maxNumDets;
    private readonly OverlapTester _boxesOverlap;
    private readonly double _cacheBasedEps;
    private CacheElement[]? _cache;
    private double[]? _psiTrue;

    // structural_svm_problem state
    private double _savedRiskGap;
    private bool _skipCache = true;
    private int _countBelowEps;
    private bool _converged;

    public HogDetectionProblem(
        HogDetectorTrainerOptions options,
        IReadOnlyList<GrayImage> images,
        IReadOnlyList<IReadOnlyList<Rectangle>> truth,
        IReadOnlyList<IReadOnlyList<Rectangle>>? ignore,
        Action<HogTrainingProgress>? progress,
        CancellationToken cancel)
    {
        _o = options;
        _truth = truth;
        _ignore = ignore;
        _progress = progress;
        _cancel = cancel;
        (_fw, _fh) = HogObjectDetector.FhogWindowSize(options.DetectionWindowWidth, options.DetectionWindowHeight, options.CellSize, options.Padding);
        _featDims = _fw * _fh * HogPlanes.NumPlanes;
        _config = MakeDetectorCore(new double[_featDims + 1], default);

        int maxDets = 0;
        foreach (IReadOnlyList<Rectangle> t in truth)
        {
            maxDets = Math.Max(maxDets, t.Count);
        }

        _maxNumDets = (maxDets * 3) + 10;

        _pyramids = new HogPlanes[images.Count][];
        Parallel.For(0, images.Count, ParallelOptions(), i => _pyramids[i] = _config.FeaturePyramid(images[i]));

        if (options.OverlapTester is { } tester)
        {
            _boxesOverlap = tester;
        }
        else
        {
            var mapped = new List<Rectangle>[truth.Count];
            for (int i = 0; i < truth.Count; i++)
            {
                mapped[i] = [.. truth[i].Select(r => MappedRect(options.MaxPyramidLevels, r).Mapped)];
            }

            _boxesOverlap = HogDetectorTrainer.FindTightOverlapTester(mapped);
        }

        _cacheBasedEps = double.PositiveInfinity;
        if (options.NuclearNormRegularizationStrength != 0)
        {
            _cacheBasedEps = 0.001;
        }
    }

    public double C => _o.C;

    public int NumDimensions => _featDims + 1;

    public OverlapTester BoxesOverlap => _boxesOverlap;

    public HogObjectDetector MakeDetector(double[] w) => MakeDetectorCore((double[])w.Clone(), _boxesOverlap);

    public bool RiskLowerBound(out double bound)
    {
        bound = 0;
        return true;
    }

    public void GetRisk(double[] w, out double risk, double[] subgradient)
    {
        int num = _pyramids.Length;
        if (_cache is null)
        {
            _cache = new CacheElement[num];
            _psiTrue = new double[NumDimensions];
            for (int i = 0; i < num; i++)
            {
                _cache[i] = new CacheElement(this, i);
                double[] t = _cache[i].TruePsi;
                for (int j = 0; j < t.Length; j++)
                {
                    _psiTrue[j] -= t[j];
                }
            }
        }

        Array.Copy(_psiTrue!, subgradient, subgradient.Length);
        HogObjectDetector det = MakeDetectorCore((double[])w.Clone(), _boxesOverlap);
        var losses = new double[num];
        var psis = new double[num][];
        bool useOnlyCache = _converged;
        bool skip = _skipCache;
        double gap = _savedRiskGap;
        CacheElement[] cache = _cache;
        Parallel.For(0, num, ParallelOptions(), i =>
        {
            _cancel.ThrowIfCancellationRequested();
            (losses[i], psis[i]) = cache[i].SeparationOracleCached(useOnlyCache, skip, gap, w, det);
        });

        double totalLoss = 0;
        for (int i = 0; i < num; i++)
        {
            totalLoss += losses[i];
            double[] p = psis[i];
            for (int j = 0; j < p.Length; j++)
            {
                subgradient[j] += p[j];
            }
        }

        for (int j = 0; j < subgradient.Length; j++)
        {
            subgradient[j] /= num;
        }

        totalLoss /= num;
        risk = totalLoss + Oca.Dot(subgradient, w);
        if (_o.NuclearNormRegularizationStrength != 0)
        {
            risk += NuclearNormParts(w, subgradient);
        }
    }

    public bool Status(double objective, double objectiveGap, double risk, double riskGap, int planes, int iteration)
    {
        _progress?.Invoke(new HogTrainingProgress(iteration, objective, objectiveGap, risk, riskGap, planes));
        if (iteration >= _o.MaxIterations)
        {
            return true;
        }

        _savedRiskGap = riskGap;
        if (_converged)
        {
            return riskGap < Math.Max(_cacheBasedEps, _cacheBasedEps * risk) || riskGap == 0;
        }

        if (riskGap < _o.Epsilon)
        {
            if (_skipCache || _o.MaxCacheSize == 0)
            {
                _converged = true;
                _skipCache = false;
                return riskGap < Math.Max(_cacheBasedEps, _cacheBasedEps * risk) || riskGap == 0;
            }

            _countBelowEps++;
            if (_countBelowEps > 1)
            {
                _skipCache = true;
                _countBelowEps = 0;
            }
        }
        else
        {
            _countBelowEps = 0;
            _skipCache = false;
        }

        return false;
    }

    /// <summary>Adds the nuclear norm subgradient of every plane's filter to <paramref name="subgradient"/>; returns the norm part of the risk.</summary>
    private double NuclearNormParts(double[] w, double[] subgradient)
    {
        double strength = _o.NuclearNormRegularizationStrength;
        double obj = 0;
        int size = _fw * _fh;
        var f = new double[_fh, _fw];
        for (int p = 0; p < HogPlanes.NumPlanes; p++)
        {
            int idx = p * size;
            for (int r = 0; r < _fh; r++)
            {
                for (int c = 0; c < _fw; c++)
                {
                    f[r, c] = w[idx + (r * _fw) + c];
                }
            }

            (double[,] u, double[] s, double[,] v) = Svd.Decompose(f);
            bool zero = true;
            foreach (double x in f)
            {
                zero &= x == 0;
            }

            if (zero)
            {
                // dlib's svd3 of an all-zero matrix yields identity singular vectors, so the
                // subgradient there is the (rectangular) identity rather than zero.
                u = new double[_fh, s.Length];
                v = new double[_fw, s.Length];
                for (int j = 0; j < s.Length; j++)
                {
                    if (j < _fh)
                    {
                        u[j, j] = 1;
                    }

                    if (j < _fw)
                    {
                        v[j, j] = 1;
                    }
                }
            }
            double norm = 0;
            foreach (double x in s)
            {
                norm += x;
            }

            obj += strength * norm;
            int k = s.Length;
            for (int r = 0; r < _fh; r++)
            {
                for (int c = 0; c < _fw; c++)
                {
                    double g = 0;
                    for (int j = 0; j < k; j++)
                    {
                        g += u[r, j] * v[c, j];
                    }

                    subgradient[idx + (r * _fw) + c] += strength * g / _o.C;
                }
            }
        }

        return obj / _o.C;
    }

    private ParallelOptions ParallelOptions() => new()
    {
        MaxDegreeOfParallelism = _o.NumThreads <= 0 ? -1 : _o.NumThreads,
        CancellationToken = _cancel,
    };

    private HogObjectDetector MakeDetectorCore(double[] w, OverlapTester tester) =>
        HogObjectDetector.Create(
            _o.CellSize, _o.Padding, _o.DetectionWindowWidth, _o.DetectionWindowHeight, _o.MaxPyramidLevels,
            _o.MinPyramidLayerWidth, _o.MinPyramidLayerHeight, _o.NuclearNormRegularizationStrength, tester, [w]);

    // ---- scanner geometry (scan_fhog_pyramid / fhog.h) ----
    private (long X, long Y) ImageToFhog(long x, long y)
    {
        long fx = ((x - 1) / _o.CellSize) - 1 + ((_fw - 1) / 2);
        long fy = ((y - 1) / _o.CellSize) - 1 + ((_fh - 1) / 2);
        return (fx, fy);
    }

    private Rectangle ImageToFhog(Rectangle r)
    {
        (long l, long t) = ImageToFhog(r.Left, r.Top);
        (long rr, long b) = ImageToFhog(r.Right, r.Bottom);
        return new Rectangle(l, t, rr, b);
    }

    private (long X, long Y) FhogToImage(long x, long y)
    {
        int cell = _o.CellSize;
        x = ((x + 1 - ((_fw - 1) / 2)) * cell) + 1;
        y = ((y + 1 - ((_fh - 1) / 2)) * cell) + 1;
        long half = cell / 2;
        long ox = half, oy = half;
        if (x < 0)
        {
            ox = -half;
        }

        if (y < 0)
        {
            oy = -half;
        }

        return (x + ox, y + oy);
    }

    private Rectangle FhogToImage(Rectangle r)
    {
        (long l, long t) = FhogToImage(r.Left, r.Top);
        (long rr, long b) = FhogToImage(r.Right, r.Bottom);
        return new Rectangle(l, t, rr, b);
    }

    private static Rectangle CenteredRect((long X, long Y) p, long width, long height)
    {
        long left = p.X - (width / 2);
        long top = p.Y - (height / 2);
        return new Rectangle(left, top, left + width - 1, top + height - 1);
    }

    private static double MatchScore(Rectangle r1, Rectangle r2)
    {
        r1 = new Rectangle(r2.Left, r2.Top, r2.Left + r1.Width - 1, r2.Top + r1.Height - 1);
        return r1.Intersect(r2).Area / (double)r1.Union(r2).Area;
    }

    /// <summary>dlib's get_mapped_rect_and_metadata: the pyramid level and filter-sized fhog box best matching <paramref name="rect"/>.</summary>
    private (Rectangle Mapped, Rectangle FhogRect, int Level) MappedRect(long numLevels, Rectangle rect)
    {
        int bestLevel = 0;
        double bestScore = -1;
        Rectangle fhogRect = default;
        int p = _o.Padding;
        for (long l = 0; l < numLevels; l++)
        {
            Rectangle rf = ImageToFhog(PyramidDown6.RectDown(rect, (int)l));
            Rectangle win = PyramidDown6.RectUp(FhogToImage(CenteredRect(rf.Center, _fw - (2 * p), _fh - (2 * p))), (int)l);
            double score = MatchScore(win, rect);
            if (score > bestScore)
            {
                bestScore = score;
                bestLevel = (int)l;
                fhogRect = CenteredRect(rf.Center, _fw, _fh);
            }

            if (rf.Area <= 1)
            {
                break;
            }
        }

        var shrunk = new Rectangle(fhogRect.Left + p, fhogRect.Top + p, fhogRect.Right - p, fhogRect.Bottom - p);
        return (PyramidDown6.RectUp(FhogToImage(shrunk), bestLevel), fhogRect, bestLevel);
    }

    /// <summary>dlib's scan_fhog_pyramid::get_feature_vector: adds the features under <paramref name="rect"/>'s window to psi.</summary>
    private void AddFeatureVector(HogPlanes[] feats, Rectangle rect, double[] psi)
    {
        (_, Rectangle fr, int level) = MappedRect(feats.Length, rect);
        HogPlanes f = feats[level];
        int i = 0;
        int nr = f.Rows, nc = f.Cols;
        for (int plane = 0; plane < HogPlanes.NumPlanes; plane++)
        {
            ReadOnlySpan<float> data = f.IsEmpty ? default : f.Plane(plane);
            for (long r = fr.Top; r <= fr.Bottom; r++)
            {
                for (long c = fr.Left; c <= fr.Right; c++)
                {
                    if (r >= 0 && c >= 0 && r < nr && c < nc)
                    {
                        psi[i] += data[(int)((r * nc) + c)];
                    }

                    i++;
                }
            }
        }
    }

    private double[] TruthPsi(int idx)
    {
        var psi = new double[NumDimensions];
        IReadOnlyList<Rectangle> truth = _truth[idx];
        var mapped = new Rectangle[truth.Count];
        for (int i = 0; i < truth.Count; i++)
        {
            mapped[i] = MappedRect(_o.MaxPyramidLevels, truth[i]).Mapped;
            AddFeatureVector(_pyramids[idx], truth[i], psi);
        }

        psi[_featDims] = -1.0 * truth.Count;

        for (int i = 0; i < mapped.Length; i++)
        {
            for (int j = i + 1; j < mapped.Length; j++)
            {
                if (_boxesOverlap.Overlaps(mapped[i], mapped[j]))
                {
                    double inter = mapped[i].Intersect(mapped[j]).Area;
                    double match = inter / mapped[i].Union(mapped[j]).Area;
                    double over = inter / Math.Min(mapped[i].Area, mapped[j].Area);
                    throw new ImpossibleLabelingException(
                        $"image {idx}: truth boxes {truth[i]} and {truth[j]} map to detection windows {mapped[i]} and {mapped[j]} that overlap " +
                        $"(IoU {match:G4}, covered {over:G4}) by the non-max suppression rule (IoU {_boxesOverlap.IouThreshold:G4}, covered {_boxesOverlap.PercentCoveredThreshold:G4}); " +
                        "the detector could never output both. Remove one box, mark it ignored, or use a different overlap rule.");
                }
            }
        }

        for (int i = 0; i < mapped.Length; i++)
        {
            double area = truth[i].Intersect(mapped[i]).Area;
            double total = truth[i].Union(mapped[i]).Area;
            if (area / total <= _o.MatchEps)
            {
                throw new ImpossibleLabelingException(
                    $"image {idx}: truth box {truth[i]} ({truth[i].Width}x{truth[i].Height}) is best matched by detection window {mapped[i]} with IoU {area / total:G4}, " +
                    $"not above the match threshold {_o.MatchEps:G4}. The box is smaller than the {_o.DetectionWindowWidth}x{_o.DetectionWindowHeight} window " +
                    "(upsample the images or use a smaller window) or its aspect ratio differs too much from the window's.");
            }
        }

        return psi;
    }

    private static (double Match, int Index) FindBestMatch(IReadOnlyList<Rectangle> boxes, Rectangle rect)
    {
        double match = 0;
        int best = 0;
        for (int i = 0; i < boxes.Count; i++)
        {
            long area = rect.Intersect(boxes[i]).Area;
            if (area != 0)
            {
                double m = area / (double)rect.Union(boxes[i]).Area;
                if (m > match)
                {
                    match = m;
                    best = i;
                }
            }
        }

        return (match, best);
    }

    private static bool OverlapsAny(OverlapTester tester, List<Rectangle> rects, Rectangle rect)
    {
        foreach (Rectangle r in rects)
        {
            if (tester.Overlaps(r, rect))
            {
                return true;
            }
        }

        return false;
    }

    private bool OverlapsIgnore(int idx, Rectangle rect)
    {
        if (_ignore is null)
        {
            return false;
        }

        foreach (Rectangle r in _ignore[idx])
        {
            if (_o.IgnoreOverlapTester.Overlaps(r, rect))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>dlib's loss-augmented separation oracle for image <paramref name="idx"/>.</summary>
    private (double Loss, double[] Psi) SeparationOracle(int idx, double[] w, HogObjectDetector det)
    {
        double thresh = w[_featDims];
        (float Score, Rectangle Rect)[] dets = [.. det.ScanPyramid(_pyramids[idx], 0, -_o.LossPerFalseAlarm)];
        StdSort.SortReversed(dets, static (a, b) => a.Score < b.Score);

        IReadOnlyList<Rectangle> truth = _truth[idx];
        double missLoss = _o.LossPerMissedTarget, faLoss = _o.LossPerFalseAlarm;
        double loss = truth.Count * missLoss;
        var truthScoreHits = new double[truth.Count];
        var hit = new bool[truth.Count];
        var finalDets = new List<Rectangle>();
        for (int i = 0; i < dets.Length && finalDets.Count < _maxNumDets; i++)
        {
            Rectangle r = dets[i].Rect;
            if (OverlapsAny(_boxesOverlap, finalDets, r))
            {
                continue;
            }

            (double match, int ti) = FindBestMatch(truth, r);
            finalDets.Add(r);
            if (match > _o.MatchEps)
            {
                double score = dets[i].Score - thresh;
                if (!hit[ti])
                {
                    hit[ti] = true;
                    truthScoreHits[ti] += score;
                }
                else
                {
                    truthScoreHits[ti] += score + faLoss;
                }
            }
        }

        Array.Clear(hit);
        finalDets.Clear();
        for (int i = 0; i < dets.Length && finalDets.Count < _maxNumDets; i++)
        {
            Rectangle r = dets[i].Rect;
            if (OverlapsAny(_boxesOverlap, finalDets, r))
            {
                continue;
            }

            (double match, int ti) = FindBestMatch(truth, r);
            if (match > _o.MatchEps)
            {
                if (truthScoreHits[ti] > missLoss)
                {
                    finalDets.Add(r);
                    if (!hit[ti])
                    {
                        hit[ti] = true;
                        loss -= missLoss;
                    }
                    else
                    {
                        loss += faLoss;
                    }
                }
            }
            else if (!OverlapsIgnore(idx, r))
            {
                finalDets.Add(r);
                loss += faLoss;
            }
        }

        var psi = new double[NumDimensions];
        foreach (Rectangle r in finalDets)
        {
            AddFeatureVector(_pyramids[idx], r, psi);
        }

        psi[_featDims] = -1.0 * finalDets.Count;
        return (loss, psi);
    }

    /// <summary>dlib's cache_element_structural_svm: the last few oracle answers of one sample.</summary>
    private sealed class CacheElement
    {
        private readonly HogDetectionProblem _prob;
        private readonly int _idx;
        private readonly List<double> _loss = [];
        private readonly List<double[]> _psi = [];
        private readonly List<long> _lru = [];
        private double _lastTrueRisk = double.PositiveInfinity;

        public CacheElement(HogDetectionProblem prob, int idx)
        {
            _prob = prob;
            _idx = idx;
            TruePsi = prob.TruthPsi(idx);
        }

        public double[] TruePsi { get; }

        public (double Loss, double[] Psi) SeparationOracleCached(bool useOnlyCache, bool skipCache, double savedRiskGap, double[] w, HogObjectDetector det)
        {
            bool enabled = _prob._o.MaxCacheSize != 0;
            double dotTrue = enabled ? Oca.Dot(TruePsi, w) : 0;
            double bestRisk = double.NegativeInfinity;
            int bestIdx = 0;
            long maxLru = 0;
            double outLoss = 0;
            if (enabled)
            {
                for (int i = 0; i < _loss.Count; i++)
                {
                    double risk = _loss[i] + Oca.Dot(_psi[i], w) - dotTrue;
                    if (risk > bestRisk)
                    {
                        bestRisk = risk;
                        outLoss = _loss[i];
                        bestIdx = i;
                    }

                    maxLru = Math.Max(maxLru, _lru[i]);
                }

                if (!skipCache && ((bestRisk + savedRiskGap > _lastTrueRisk && bestRisk >= 0) || useOnlyCache))
                {
                    _lru[bestIdx] = maxLru + 1;
                    return (outLoss, _psi[bestIdx]);
                }
            }

            (double loss, double[] psi) = _prob.SeparationOracle(_idx, w, det);
            if (!enabled)
            {
                return (loss, psi);
            }

            _lastTrueRisk = loss + Oca.Dot(psi, w) - dotTrue;
            if (_lastTrueRisk < 0 && bestRisk < 0)
            {
                return (0, TruePsi);
            }

            if (_lastTrueRisk < bestRisk)
            {
                _lru[bestIdx] = maxLru + 1;
                return (_loss[bestIdx], _psi[bestIdx]);
            }

            if (_loss.Count >= _prob._o.MaxCacheSize)
            {
                int min = 0;
                long maxUse = _lru[0];
                for (int i = 1; i < _lru.Count; i++)
                {
                    if (_lru[i] < _lru[min])
                    {
                        min = i;
                    }

                    maxUse = Math.Max(maxUse, _lru[i]);
                }

                _loss[min] = loss;
                _psi[min] = psi;
                _lru[min] = maxUse + 1;
            }
            else
            {
                long maxUse = 1;
                if (_lru.Count != 0)
                {
                    maxUse = _lru.Max() + 1;
                }

                _loss.Add(loss);
                _psi.Add(psi);
                _lru.Add(maxUse);
            }

            return (loss, psi);
        }
    }
}
