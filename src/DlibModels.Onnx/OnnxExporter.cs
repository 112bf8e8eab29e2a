using System.Globalization;
using System.Runtime.InteropServices;
using DlibModels.Dnn;

namespace DlibModels.Onnx;

/// <summary>Options of <see cref="OnnxExporter"/>.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The ONNX opset to declare (13 to 21; 17 by default). The operators used exist unchanged from opset 13 on.</summary>
    public int Opset { get; init; } = 17;

    /// <summary>Fixed input rows, or null for a symbolic height (ignored for <c>input_rgb_image_sized</c>, whose size is fixed).</summary>
    public int? InputRows { get; init; }

    /// <summary>Fixed input columns, or null for a symbolic width.</summary>
    public int? InputCols { get; init; }

    /// <summary>SHA-256 (hex) of the dlib file the network was loaded from, recorded in the model's metadata; null to omit.</summary>
    public string? SourceSha256 { get; init; }

    /// <summary>The file name the network was loaded from, recorded in the metadata; null to omit.</summary>
    public string? SourceName { get; init; }

    /// <summary>
    /// When true, the graph input is the input layer's tensor after normalisation, (p − mean)/256,
    /// exactly as this library's engine receives it, and the graph has no <c>Sub</c>/<c>Mul</c> input
    /// nodes (what an engine adapter feeding the same tensors wants). False (the default): values 0–255.
    /// </summary>
    public bool NormalizedInput { get; init; }
}

/// <summary>
/// Writes a loaded dlib network as an ONNX model. The graph input <c>input</c> is float32 NCHW,
/// channels R, G, B, values 0–255 (for MMOD networks: the tiled pyramid image of
/// <c>input_rgb_image_pyramid</c>, before normalisation); the input layer's normalisation,
/// (p − mean)/256, is written as explicit <c>Sub</c> and <c>Mul</c> nodes. The loss layer is dropped:
/// the graph output <c>output</c> is the last layer's output (the 128-d descriptor of the face
/// ResNet, <c>[N,128]</c>; the score map of an MMOD network, <c>[N,K,H,W]</c>).
/// </summary>
/// <remarks>
/// Layers: <c>con</c> (dlib's symmetric padding and stride; a following per-channel <c>affine</c> is
/// folded into its filters and bias), <c>affine</c> otherwise as <c>Mul</c>/<c>Add</c>, <c>relu</c>,
/// <c>max_pool</c>/<c>avg_pool</c> (padding excluded from averages, as dlib does) and their
/// pool-everything forms, <c>fc</c>/<c>fc_no_bias</c> (<c>Flatten</c> + <c>Gemm</c>), <c>multiply</c>,
/// <c>dropout</c> (dropped), <c>tag</c>/<c>skip</c>, <c>add_prev</c> (operands of different shapes are
/// zero-extended to the larger of each dimension with <c>Pad</c>, as dlib does) and <c>concat</c>.
/// Any other layer raises <see cref="NotSupportedException"/> naming it.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>Exports <paramref name="network"/> to the file <paramref name="path"/>.</summary>
    public static void Export(DnnNetwork network, string path, OnnxExportOptions? options = null)
    {
        byte[] bytes = ExportToBytes(network, options);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Exports <paramref name="network"/> and returns the serialized ModelProto.</summary>
    public static byte[] ExportToBytes(DnnNetwork network, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new OnnxExportOptions();
        if (options.Opset is < 13 or > 21)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Opset, "opset must be between 13 and 21");
        }

        var g = new GraphBuilder();
        g.Build(network, options);
        return g.Serialize(network, options);
    }

    /// <summary>The shape of a value as far as it is known statically (rows/cols null when symbolic).</summary>
    private readonly record struct Shape(int K, int? Rows, int? Cols, bool Flat);

    private sealed record Node(string Op, string[] Inputs, string[] Outputs, List<Action<ProtoWriter>> Attributes);

    private sealed record Initializer(string Name, long[] Dims, float[]? Floats, long[]? Longs);

    private sealed class GraphBuilder
    {
        private readonly List<Node> nodes = new();
        private readonly List<Initializer> initializers = new();
        private readonly Dictionary<string, int> counters = new();
        private string inputDescription = "";
        private string outputName = "output";
        private Shape outputShape;
        private long[] inputDims = [];
        private string?[] inputParams = [];

        public void Build(DnnNetwork net, OnnxExportOptions options)
        {
            InputLayer input = net.Input;
            int? rows = options.InputRows;
            int? cols = options.InputCols;
            switch (input.Kind)
            {
                case InputKind.RgbImageSized:
                    rows = input.FixedRows;
                    cols = input.FixedCols;
                    inputDescription = $"float32 [N,3,{rows},{cols}] NCHW, channels R,G,B, values 0-255 ({input.Describe()}; normalised in-graph as (p - mean)/256 with mean=({Fmt(input.MeanRed)},{Fmt(input.MeanGreen)},{Fmt(input.MeanBlue)}))";
                    break;
                case InputKind.RgbImage:
                    inputDescription = $"float32 [N,3,H,W] NCHW, channels R,G,B, values 0-255 ({input.Describe()}; normalised in-graph as (p - mean)/256 with mean=({Fmt(input.MeanRed)},{Fmt(input.MeanGreen)},{Fmt(input.MeanBlue)}))";
                    break;
                case InputKind.RgbImagePyramid:
                    inputDescription = $"float32 [N,3,H,W] NCHW, channels R,G,B, values 0-255: the tiled image pyramid of {input.Describe()} (pyramid_down<{input.PyramidDownFactor}> levels side by side, padding {input.PyramidPadding}, outer padding {input.PyramidOuterPadding}) before normalisation; normalised in-graph as (p - mean)/256";
                    break;
                default:
                    throw new NotSupportedException($"input layer {input.Describe()} has no ONNX export (only input_rgb_image, input_rgb_image_sized and input_rgb_image_pyramid are supported)");
            }

            inputDims = [-1, 3, rows ?? -1, cols ?? -1];
            inputParams = ["N", null, rows is null ? "H" : null, cols is null ? "W" : null];

            string cur = "input";
            if (options.NormalizedInput)
            {
                inputDescription = $"float32 [N,3,{(rows is null ? "H" : rows)},{(cols is null ? "W" : cols)}] NCHW, channels R,G,B, already normalised as (p - mean)/256 with mean=({Fmt(input.MeanRed)},{Fmt(input.MeanGreen)},{Fmt(input.MeanBlue)}) ({input.Describe()}; for MMOD networks the tiled image pyramid)";
            }
            else
            {
                string mean = AddFloats("input_mean", [1, 3, 1, 1], [input.MeanRed, input.MeanGreen, input.MeanBlue]);
                string scale = AddFloats("input_scale", [], [1f / 256f]);
                string centred = Emit("Sub", "input_centred", ["input", mean]);
                cur = Emit("Mul", "input_normalised", [centred, scale]);
            }

            var shape = new Shape(3, rows, cols, false);

            var tags = new Dictionary<int, (string Name, Shape Shape)>();
            IReadOnlyList<Layer> layers = net.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                Layer layer = layers[i];
                switch (layer)
                {
                    case ConvolutionLayer conv:
                        {
                            RequireSpatial(shape, i, layer);
                            AffineLayer? fold = i + 1 < layers.Count && layers[i + 1] is AffineLayer a && a.ConvolutionMode && a.Gamma.Length == conv.NumFilters ? a : null;
                            cur = Conv(conv, fold, cur, i);
                            if (fold is not null)
                            {
                                i++;
                            }

                            (int r, int c) = conv.OutputSize(shape.Rows ?? conv.KernelRows, shape.Cols ?? conv.KernelCols);
                            shape = new Shape(conv.NumFilters, shape.Rows is null ? null : r, shape.Cols is null ? null : c, false);
                            break;
                        }

                    case AffineLayer affine:
                        cur = Affine(affine, cur, shape, i);
                        break;
                    case ReluLayer:
                        cur = Emit("Relu", $"l{i}_relu", [cur]);
                        break;
                    case DropoutLayer:
                        break;
                    case MultiplyLayer mul:
                        cur = Emit("Mul", $"l{i}_multiply", [cur, AddFloats($"l{i}_multiply_value", [], [mul.Value])]);
                        break;
                    case PoolLayer pool:
                        RequireSpatial(shape, i, layer);
                        (cur, shape) = Pool(pool, cur, shape, i);
                        break;
                    case FullyConnectedLayer fc:
                        {
                            string flat = shape.Flat ? cur : Emit("Flatten", $"l{i}_flatten", [cur], Int("axis", 1));
                            string w = AddFloats($"l{i}_fc_weights", [fc.NumInputs, fc.NumOutputs], fc.Weights.ToArray());
                            string[] ins = fc.HasBias ? [flat, w, AddFloats($"l{i}_fc_bias", [fc.NumOutputs], fc.Biases.ToArray())] : [flat, w];
                            cur = Emit("Gemm", $"l{i}_fc", ins);
                            shape = new Shape(fc.NumOutputs, 1, 1, true);
                            break;
                        }

                    case TagLayer tag:
                        tags[tag.Id] = (cur, shape);
                        break;
                    case SkipLayer skip:
                        (cur, shape) = Tagged(tags, skip.TagId, i, layer);
                        break;
                    case AddPrevLayer add:
                        (cur, shape) = AddPrev(cur, shape, Tagged(tags, add.TagId, i, layer), i);
                        break;
                    case ConcatLayer concat:
                        {
                            var parts = concat.TagIds.Select(id => Tagged(tags, id, i, layer)).ToList();
                            cur = Emit("Concat", $"l{i}_concat", parts.Select(p => p.Name).ToArray(), Int("axis", 1));
                            shape = parts[0].Shape with { K = parts.Sum(p => p.Shape.K) };
                            break;
                        }

                    default:
                        throw new NotSupportedException($"layer {i} ({layer.Describe()}) has no ONNX equivalent in this exporter");
                }
            }

            nodes.Add(new Node("Identity", [cur], [outputName], []));
            outputShape = shape;
        }

        public byte[] Serialize(DnnNetwork net, OnnxExportOptions options)
        {
            var model = new ProtoWriter();
            model.Varint(1, IrVersion(options.Opset));
            model.String(2, "DlibModels.Onnx");
            model.String(3, typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0");
            model.String(6, $"dlib network exported by DlibModels: {net.ArchitectureName ?? "network"}; loss {net.Loss.GetType().Name} dropped (output = last layer's output)");
            model.Message(7, WriteGraph);
            model.Message(8, o => o.Varint(2, options.Opset));
            var meta = new List<(string, string)>
            {
                ("input", inputDescription),
                ("output", "the last layer's output before dlib's loss layer (" + net.Loss.GetType().Name + ")"),
                ("dlib_architecture", net.ArchitectureName ?? "unknown"),
            };
            if (options.SourceSha256 is not null)
            {
                meta.Add(("source_sha256", options.SourceSha256));
            }

            if (options.SourceName is not null)
            {
                meta.Add(("source_file", options.SourceName));
            }

            foreach ((string k, string v) in meta)
            {
                model.Message(14, e =>
                {
                    e.String(1, k);
                    e.String(2, v);
                });
            }

            return model.ToArray();
        }

        private static long IrVersion(int opset) => opset switch
        {
            <= 14 => 7,
            <= 18 => 8,
            <= 20 => 9,
            _ => 10,
        };

        private static string Fmt(float v) => v.ToString(CultureInfo.InvariantCulture);

        private static void RequireSpatial(Shape shape, int i, Layer layer)
        {
            if (shape.Flat)
            {
                throw new NotSupportedException($"layer {i} ({layer.Describe()}) follows an fc layer; spatial layers after fc are not exported");
            }
        }

        private static (string Name, Shape Shape) Tagged(Dictionary<int, (string Name, Shape Shape)> tags, int id, int i, Layer layer) =>
            tags.TryGetValue(id, out var t) ? t : throw new NotSupportedException($"layer {i} ({layer.Describe()}) refers to tag{id}, which no layer below it sets");

        private static Action<ProtoWriter> Int(string name, long value) => a =>
        {
            a.String(1, name);
            a.Varint(3, value);
            a.Varint(20, 2);
        };

        private static Action<ProtoWriter> Ints(string name, params long[] values) => a =>
        {
            a.String(1, name);
            foreach (long v in values)
            {
                a.Varint(8, v);
            }

            a.Varint(20, 7);
        };

        private string Conv(ConvolutionLayer conv, AffineLayer? fold, string x, int i)
        {
            float[] w = conv.Weights.ToArray();
            float[] b = conv.HasBias ? conv.Biases.ToArray() : new float[conv.NumFilters];
            bool hasBias = conv.HasBias;
            if (fold is not null)
            {
                ReadOnlySpan<float> gamma = fold.Gamma.Span;
                ReadOnlySpan<float> beta = fold.Beta.Span;
                int per = w.Length / conv.NumFilters;
                for (int o = 0; o < conv.NumFilters; o++)
                {
                    Span<float> f = w.AsSpan(o * per, per);
                    for (int j = 0; j < f.Length; j++)
                    {
                        f[j] *= gamma[o];
                    }

                    b[o] = (b[o] * gamma[o]) + beta[o];
                }

                hasBias = true;
            }

            string wn = AddFloats($"l{i}_con_weights", [conv.NumFilters, conv.InputChannels, conv.KernelRows, conv.KernelCols], w);
            string[] ins = hasBias ? [x, wn, AddFloats($"l{i}_con_bias", [conv.NumFilters], b)] : [x, wn];
            return Emit("Conv", fold is null ? $"l{i}_con" : $"l{i}_con_affine", ins,
                Ints("kernel_shape", conv.KernelRows, conv.KernelCols),
                Ints("strides", conv.StrideY, conv.StrideX),
                Ints("pads", conv.PaddingY, conv.PaddingX, conv.PaddingY, conv.PaddingX));
        }

        private string Affine(AffineLayer affine, string x, Shape shape, int i)
        {
            long[] dims;
            int n = affine.Gamma.Length;
            if (shape.Flat)
            {
                dims = [1, n];
            }
            else if (affine.ConvolutionMode)
            {
                dims = [1, n, 1, 1];
            }
            else if (shape.Rows is int r && shape.Cols is int c && (long)shape.K * r * c == n)
            {
                dims = [1, shape.K, r, c];
            }
            else
            {
                throw new NotSupportedException($"layer {i} (affine_fc) needs a fixed input size to export (give the input rows and columns)");
            }

            string g = AddFloats($"l{i}_affine_gamma", dims, affine.Gamma.ToArray());
            string b = AddFloats($"l{i}_affine_beta", dims, affine.Beta.ToArray());
            string m = Emit("Mul", $"l{i}_affine_mul", [x, g]);
            return Emit("Add", $"l{i}_affine", [m, b]);
        }

        private (string, Shape) Pool(PoolLayer pool, string x, Shape shape, int i)
        {
            bool max = pool.Pool == PoolKind.Max;
            if (pool.IsGlobal)
            {
                return (Emit(max ? "GlobalMaxPool" : "GlobalAveragePool", $"l{i}_{pool.Kind}", [x]), shape with { Rows = 1, Cols = 1 });
            }

            string y = Emit(max ? "MaxPool" : "AveragePool", $"l{i}_{pool.Kind}", [x],
                Ints("kernel_shape", pool.WindowRows, pool.WindowCols),
                Ints("strides", pool.StrideY, pool.StrideX),
                Ints("pads", pool.PaddingY, pool.PaddingX, pool.PaddingY, pool.PaddingX));
            int? r = shape.Rows is int rr ? 1 + ((rr + (2 * pool.PaddingY) - pool.WindowRows) / pool.StrideY) : null;
            int? c = shape.Cols is int cc ? 1 + ((cc + (2 * pool.PaddingX) - pool.WindowCols) / pool.StrideX) : null;
            return (y, shape with { Rows = r, Cols = c });
        }

        private (string, Shape) AddPrev(string x, Shape xs, (string Name, Shape Shape) other, int i)
        {
            Shape os = other.Shape;
            if (xs.Flat != os.Flat)
            {
                throw new NotSupportedException($"layer {i} (add_prev) adds a flat fc output to a spatial tensor");
            }

            var result = new Shape(Math.Max(xs.K, os.K), xs.Rows is int a && os.Rows is int b ? Math.Max(a, b) : null, xs.Cols is int c && os.Cols is int d ? Math.Max(c, d) : null, xs.Flat);
            if (xs == os && xs.Rows is not null && xs.Cols is not null)
            {
                return (Emit("Add", $"l{i}_add_prev", [x, other.Name]), result);
            }

            // dlib's add_prev zero-extends each operand to the larger of each dimension: pad both at
            // the end of every axis by max(shape_a, shape_b) - own shape (computed at run time, so it
            // also holds for symbolic image sizes; the pads are zero when the shapes agree).
            int rank = xs.Flat ? 2 : 4;
            string zeros = AddLongs($"l{i}_add_prev_zeros", [rank], new long[rank]);
            string sa = Emit("Shape", $"l{i}_add_prev_shape_a", [x]);
            string sb = Emit("Shape", $"l{i}_add_prev_shape_b", [other.Name]);
            string m = Emit("Max", $"l{i}_add_prev_shape", [sa, sb]);
            string pa = Emit("Concat", $"l{i}_add_prev_pads_a", [zeros, Emit("Sub", $"l{i}_add_prev_grow_a", [m, sa])], Int("axis", 0));
            string pb = Emit("Concat", $"l{i}_add_prev_pads_b", [zeros, Emit("Sub", $"l{i}_add_prev_grow_b", [m, sb])], Int("axis", 0));
            string xa = Emit("Pad", $"l{i}_add_prev_a", [x, pa]);
            string xb = Emit("Pad", $"l{i}_add_prev_b", [other.Name, pb]);
            return (Emit("Add", $"l{i}_add_prev", [xa, xb]), result);
        }

        private string Emit(string op, string name, string[] inputs, params Action<ProtoWriter>[] attributes)
        {
            string output = Unique(name);
            nodes.Add(new Node(op, inputs, [output], attributes.ToList()));
            return output;
        }

        private string Unique(string name)
        {
            int n = counters.TryGetValue(name, out int c) ? c + 1 : 0;
            counters[name] = n;
            return n == 0 ? name : $"{name}_{n}";
        }

        private string AddFloats(string name, long[] dims, float[] values)
        {
            string unique = Unique(name);
            initializers.Add(new Initializer(unique, dims, values, null));
            return unique;
        }

        private string AddLongs(string name, long[] dims, long[] values)
        {
            string unique = Unique(name);
            initializers.Add(new Initializer(unique, dims, null, values));
            return unique;
        }

        private void WriteGraph(ProtoWriter g)
        {
            foreach (Node node in nodes)
            {
                g.Message(1, n =>
                {
                    foreach (string s in node.Inputs)
                    {
                        n.String(1, s);
                    }

                    foreach (string s in node.Outputs)
                    {
                        n.String(2, s);
                    }

                    n.String(3, node.Outputs[0]);
                    n.String(4, node.Op);
                    foreach (Action<ProtoWriter> a in node.Attributes)
                    {
                        n.Message(5, a);
                    }
                });
            }

            g.String(2, "dlib");
            foreach (Initializer init in initializers)
            {
                g.Message(5, t =>
                {
                    t.PackedVarints(1, init.Dims);
                    t.Varint(2, init.Floats is not null ? 1 : 7);
                    t.String(8, init.Name);
                    byte[] raw = init.Floats is not null
                        ? MemoryMarshal.AsBytes(init.Floats.AsSpan()).ToArray()
                        : MemoryMarshal.AsBytes(init.Longs!.AsSpan()).ToArray();
                    if (!BitConverter.IsLittleEndian)
                    {
                        throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
                    }

                    t.Bytes(9, raw);
                });
            }

            g.Message(11, v => ValueInfo(v, "input", inputDims, inputParams));
            long[] od = outputShape.Flat ? [-1, outputShape.K] : [-1, outputShape.K, outputShape.Rows ?? -1, outputShape.Cols ?? -1];
            string?[] op = outputShape.Flat ? ["N", null] : ["N", null, outputShape.Rows is null ? "H_out" : null, outputShape.Cols is null ? "W_out" : null];
            g.Message(12, v => ValueInfo(v, outputName, od, op));
        }

        private static void ValueInfo(ProtoWriter v, string name, long[] dims, string?[] parameters)
        {
            v.String(1, name);
            v.Message(2, type => type.Message(1, tensor =>
            {
                tensor.Varint(1, 1);
                tensor.Message(2, shape =>
                {
                    for (int d = 0; d < dims.Length; d++)
                    {
                        long value = dims[d];
                        string? param = parameters[d];
                        shape.Message(1, dim =>
                        {
                            if (param is not null)
                            {
                                dim.String(2, param);
                            }
                            else
                            {
                                dim.Varint(1, value);
                            }
                        });
                    }
                });
            }));
        }
    }
}
