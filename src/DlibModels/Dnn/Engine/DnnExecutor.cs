namespace DlibModels.Dnn.Engine;

/// <summary>
/// Runs a <see cref="DnnNetwork"/> forward on the CPU with dlib's semantics. Immutable after
/// construction and safe to use from several threads at once (each call uses its own buffers).
/// </summary>
public sealed class DnnExecutor : IForwardPass
{
    private readonly Step[] fusedPlan;
    private Step[]? plainPlan;

    /// <summary>Prepares <paramref name="network"/> for inference.</summary>
    /// <param name="network">The network.</param>
    /// <param name="maxThreads">Most threads one forward pass may use; 0 means all processors.</param>
    public DnnExecutor(DnnNetwork network, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(maxThreads);
        Network = network;
        MaxThreads = maxThreads == 0 ? Environment.ProcessorCount : maxThreads;
        fusedPlan = BuildPlan(network.Layers, fuse: true);
    }

    /// <summary>The network run.</summary>
    public DnnNetwork Network { get; }

    /// <summary>Most threads one forward pass uses.</summary>
    public int MaxThreads { get; }

    /// <summary>When false, the portable scalar kernels are used instead of AVX2/FMA (for testing).</summary>
    internal bool AllowSimd { get; init; } = true;

    /// <summary>
    /// Runs the layers on <paramref name="input"/> (not modified, not disposed) and returns the
    /// output of the top layer, which the caller must dispose.
    /// </summary>
    public Tensor Forward(Tensor input) => Run(input, fusedPlan, null);

    /// <summary>
    /// Runs the layers one at a time and reports each layer's output statistics, input first,
    /// in the order and with the indices of dlibref's <c>layers</c> dump.
    /// </summary>
    public IReadOnlyList<LayerStatistics> ForwardWithStatistics(Tensor input, out Tensor output)
    {
        ArgumentNullException.ThrowIfNull(input);
        var stats = new List<LayerStatistics>
        {
            LayerStatistics.Of(Network.Layers.Count + 1, "input: " + Network.Input.Describe(), input),
        };
        output = Run(input, LazyInitializer.EnsureInitialized(ref plainPlan, () => BuildPlan(Network.Layers, fuse: false)), stats);
        return stats;
    }

    /// <summary>
    /// The output shape for an input of the given shape, or null when some layer's window would not
    /// fit its input (dlib asserts in that case; an image too small for the network).
    /// </summary>
    public int[]? OutputShape(int n, int k, int rows, int cols) => OutputShape(Network, n, k, rows, cols);

    /// <summary>The output shape of <paramref name="network"/> for an input of the given shape, or null (see the instance method).</summary>
    internal static int[]? OutputShape(DnnNetwork network, int n, int k, int rows, int cols)
    {
        var tags = new Dictionary<int, (int N, int K, int R, int C)>();
        (int N, int K, int R, int C) cur = (n, k, rows, cols);
        foreach (Layer layer in network.Layers)
        {
            switch (layer)
            {
                case ConvolutionLayer conv:
                    if (cur.R + (2 * conv.PaddingY) < conv.KernelRows || cur.C + (2 * conv.PaddingX) < conv.KernelCols)
                    {
                        return null;
                    }

                    (int r, int c) = conv.OutputSize(cur.R, cur.C);
                    cur = (cur.N, conv.NumFilters, r, c);
                    break;
                case PoolLayer pool:
                    {
                        int wh = pool.IsGlobal ? cur.R : pool.WindowRows;
                        int ww = pool.IsGlobal ? cur.C : pool.WindowCols;
                        if (cur.R + (2 * pool.PaddingY) < wh || cur.C + (2 * pool.PaddingX) < ww || cur.R == 0 || cur.C == 0)
                        {
                            return null;
                        }

                        cur = (cur.N, cur.K, 1 + ((cur.R + (2 * pool.PaddingY) - wh) / pool.StrideY), 1 + ((cur.C + (2 * pool.PaddingX) - ww) / pool.StrideX));
                        break;
                    }

                case FullyConnectedLayer fc:
                    cur = (cur.N, fc.NumOutputs, 1, 1);
                    break;
                case TagLayer tag:
                    tags[tag.Id] = cur;
                    break;
                case SkipLayer skip:
                    cur = tags[skip.TagId];
                    break;
                case AddPrevLayer add:
                    {
                        var o = tags[add.TagId];
                        cur = (Math.Max(cur.N, o.N), Math.Max(cur.K, o.K), Math.Max(cur.R, o.R), Math.Max(cur.C, o.C));
                        break;
                    }

                case ConcatLayer concat:
                    cur = (cur.N, concat.TagIds.Sum(id => tags[id].K), tags[concat.TagIds[0]].R, tags[concat.TagIds[0]].C);
                    break;
            }
        }

        return new[] { cur.N, cur.K, cur.R, cur.C };
    }

    private Step[] BuildPlan(IReadOnlyList<Layer> layers, bool fuse)
    {
        var plan = new List<Step>();
        for (int i = 0; i < layers.Count; i++)
        {
            Layer layer = layers[i];
            if (layer is ConvolutionLayer conv)
            {
                AffineLayer? affine = null;
                bool relu = false;
                int consumed = 0;
                if (fuse)
                {
                    if (i + 1 < layers.Count && layers[i + 1] is AffineLayer a && a.ConvolutionMode && a.GammaArray.Length == conv.NumFilters)
                    {
                        affine = a;
                        consumed++;
                    }

                    if (affine is not null && i + 3 < layers.Count && layers[i + 2] is AddPrevLayer add && layers[i + 3] is ReluLayer)
                    {
                        // conv → affine → add_prev → relu (a residual block's end): the addition
                        // and relu run in the convolution's epilogue when the tagged tensor has
                        // the output's shape; otherwise the two layers run after it.
                        var fallback = new Step[] { new(i + 2, add, null), new(i + 3, layers[i + 3], null) };
                        plan.Add(new Step(i, layer, new PackedConvolution(conv, affine, relu: true, addsResidual: true), add.TagId, new PackedConvolution(conv, affine), fallback));
                        i += 3;
                        continue;
                    }

                    if (i + 1 + consumed < layers.Count && layers[i + 1 + consumed] is ReluLayer)
                    {
                        relu = true;
                        consumed++;
                    }
                }

                plan.Add(new Step(i, layer, new PackedConvolution(conv, affine, relu)));
                i += consumed;
            }
            else
            {
                plan.Add(new Step(i, layer, null));
            }
        }

        return plan.ToArray();
    }

    private Tensor Run(Tensor input, Step[] plan, List<LayerStatistics>? stats)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = new RunState(input);
        Tensor cur = input;
        int count = Network.Layers.Count;
        try
        {
            foreach (Step step in plan)
            {
                cur = Apply(step, cur, state);
                stats?.Add(LayerStatistics.Of(count - step.Index, step.Layer.Describe(), cur));
            }

            if (!state.IsExclusive(cur))
            {
                var copy = new Tensor(cur.N, cur.K, cur.Rows, cur.Cols, cur.Span);
                state.Release(cur);
                cur = copy;
            }

            state.Forget(cur);
            return cur;
        }
        catch
        {
            state.Release(cur);
            throw;
        }
        finally
        {
            foreach (Tensor t in state.Tags.Values)
            {
                state.Release(t);
            }
        }
    }

    private Tensor Apply(Step step, Tensor cur, RunState state)
    {
        switch (step.Layer)
        {
            case ConvolutionLayer when step.ResidualTag is int tag:
                {
                    Tensor other = state.Tagged(tag);
                    PackedConvolution conv = step.Conv!;
                    if (other.N == cur.N && other.K == conv.Co && other.Rows == conv.OutRows(cur.Rows) && other.Cols == conv.OutCols(cur.Cols))
                    {
                        return state.Replace(cur, conv.Forward(cur, MaxThreads, AllowSimd, residual: other));
                    }

                    cur = state.Replace(cur, step.Fallback!.Forward(cur, MaxThreads, AllowSimd));
                    foreach (Step after in step.FallbackSteps!)
                    {
                        cur = Apply(after, cur, state);
                    }

                    return cur;
                }

            case ConvolutionLayer:
                return state.Replace(cur, step.Conv!.Forward(cur, MaxThreads, AllowSimd));
            case AffineLayer affine:
                cur = state.Writable(cur);
                Kernels.AffineInPlace(cur, affine);
                return cur;
            case ReluLayer:
                cur = state.Writable(cur);
                Kernels.ReluInPlace(cur);
                return cur;
            case MultiplyLayer mul:
                cur = state.Writable(cur);
                Kernels.MultiplyInPlace(cur, mul.Value);
                return cur;
            case DropoutLayer:
                return cur;
            case PoolLayer pool:
                return state.Replace(cur, Kernels.Pool(cur, pool));
            case FullyConnectedLayer fc:
                return state.Replace(cur, Kernels.FullyConnected(cur, fc));
            case TagLayer tag:
                state.AddRef(cur);
                if (state.Tags.Remove(tag.Id, out Tensor? old))
                {
                    state.Release(old);
                }

                state.Tags[tag.Id] = cur;
                return cur;
            case SkipLayer skip:
                {
                    Tensor target = state.Tagged(skip.TagId);
                    state.AddRef(target);
                    state.Release(cur);
                    return target;
                }

            case AddPrevLayer add:
                {
                    Tensor other = state.Tagged(add.TagId);
                    if (state.IsExclusive(cur) && !ReferenceEquals(cur, other) && cur.SameShape(other))
                    {
                        Kernels.AddInPlace(cur, other);
                        return cur;
                    }

                    return state.Replace(cur, Kernels.Add(cur, other));
                }

            case ConcatLayer concat:
                {
                    var parts = concat.TagIds.Select(state.Tagged).ToList();
                    return state.Replace(cur, Kernels.Concat(parts));
                }

            default:
                throw new NotSupportedException($"layer {step.Layer.Describe()} is not supported by the CPU engine");
        }
    }

    /// <summary>
    /// Per-call bookkeeping: reference counts of the tensors alive in this pass (the caller's input
    /// is borrowed: never written, never disposed) and the tagged outputs.
    /// </summary>
    private sealed class RunState
    {
        private readonly Tensor input;
        private readonly Dictionary<Tensor, int> refs = new(ReferenceEqualityComparer.Instance);

        public RunState(Tensor input) => this.input = input;

        public Dictionary<int, Tensor> Tags { get; } = new();

        public Tensor Tagged(int id) =>
            Tags.TryGetValue(id, out Tensor? t) ? t : throw new InvalidOperationException($"no tag{id} below a layer that refers to it");

        /// <summary>True when the flow holds the only reference and the tensor is not the caller's.</summary>
        public bool IsExclusive(Tensor t) => !ReferenceEquals(t, input) && Count(t) == 1;

        public void AddRef(Tensor t)
        {
            if (!ReferenceEquals(t, input))
            {
                refs[t] = Count(t) + 1;
            }
        }

        public void Release(Tensor t)
        {
            if (ReferenceEquals(t, input))
            {
                return;
            }

            int n = Count(t) - 1;
            if (n <= 0)
            {
                refs.Remove(t);
                t.Dispose();
            }
            else
            {
                refs[t] = n;
            }
        }

        /// <summary>Stops tracking a tensor handed to the caller.</summary>
        public void Forget(Tensor t) => refs.Remove(t);

        public Tensor Replace(Tensor old, Tensor result)
        {
            Release(old);
            return result;
        }

        public Tensor Writable(Tensor cur)
        {
            if (IsExclusive(cur))
            {
                return cur;
            }

            var copy = new Tensor(cur.N, cur.K, cur.Rows, cur.Cols, cur.Span);
            Release(cur);
            return copy;
        }

        /// <summary>Tensors not yet seen are new results held once by the flow.</summary>
        private int Count(Tensor t) => refs.TryGetValue(t, out int n) ? n : 1;
    }

    /// <summary>One step of a plan: a layer, or a convolution with the layers fused into it.</summary>
    /// <param name="Index">The first layer's index in the network's list.</param>
    /// <param name="Layer">That layer.</param>
    /// <param name="Conv">The prepared convolution (with its fused epilogue), for convolution steps.</param>
    /// <param name="ResidualTag">The tag whose tensor the epilogue adds, when an add_prev and a relu are fused in.</param>
    /// <param name="Fallback">The convolution without them, for when the tagged tensor's shape differs.</param>
    /// <param name="FallbackSteps">The add_prev and relu steps run after <paramref name="Fallback"/>.</param>
    private sealed record Step(int Index, Layer Layer, PackedConvolution? Conv, int? ResidualTag = null, PackedConvolution? Fallback = null, Step[]? FallbackSteps = null);
}
