using DlibModels.Dnn.Architecture;
using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>Turns a file's records plus an architecture into a typed, shape-checked <see cref="DnnNetwork"/>.</summary>
internal static class NetworkBinder
{
    public static DnnNetwork Bind(string source, DnnStreamContent content, NetArchitecture arch, string archName, bool strictFilters = false)
    {
        if (arch.Nodes.Count != content.Wrappers.Count)
        {
            throw Fail(source, content.StartOffset, "the network", $"the architecture has {arch.Nodes.Count} layers (counting tags and skips) but the file nests {content.Wrappers.Count}");
        }

        InputLayer input = BindInput(source, content.Input, arch.Input);
        LossLayer loss = BindLoss(source, content.Loss, arch.Loss);
        var layers = new List<Layer>(arch.Nodes.Count);
        for (int i = arch.Nodes.Count - 1; i >= 0; i--)
        {
            ArchitectureNode node = arch.Nodes[i];
            WrapperEntry w = content.Wrappers[i];
            layers.Add(node.Kind switch
            {
                NodeKind.Tag => new TagLayer((int)node.Numbers[0]),
                NodeKind.Skip => new SkipLayer((int)node.Numbers[0]),
                _ => BindLayer(source, i, w.Details ?? throw Fail(source, content.StartOffset, $"layer<{i}>", "the architecture has a layer where the file has a tag or skip"), node, strictFilters && !(i == 0 && arch.Loss == "loss_mmod")),
            });
        }

        var network = new DnnNetwork(input, layers, loss, archName == "inferred" ? "inferred: " + arch.Text : arch.Text) { ArchitectureName = archName };
        ShapeChecker.Check(source, content, network);
        return network;
    }

    internal static DlibFormatException Fail(string source, long offset, string what, string problem) => new(source, offset, what, problem);

    private static InputLayer BindInput(string source, DlibRecord r, TypeTerm archInput)
    {
        float Mean(string n) => (float)r.Real(n);
        InputLayer input = r.Version switch
        {
            "input_rgb_image_pyramid" => new InputLayer(InputKind.RgbImagePyramid, Mean("avg_red"), Mean("avg_green"), Mean("avg_blue")),
            "input_rgb_image_pyramid2" => new InputLayer(InputKind.RgbImagePyramid, Mean("avg_red"), Mean("avg_green"), Mean("avg_blue"), PyramidPadding: (int)r.Int("pyramid_padding"), PyramidOuterPadding: (int)r.Int("pyramid_outer_padding")),
            "input_rgb_image_sized" => new InputLayer(InputKind.RgbImageSized, Mean("avg_red"), Mean("avg_green"), Mean("avg_blue"), (int)r.Int("NR"), (int)r.Int("NC")),
            "input_rgb_image" => new InputLayer(InputKind.RgbImage, Mean("avg_red"), Mean("avg_green"), Mean("avg_blue")),
            _ => new InputLayer(InputKind.Matrix, 0, 0, 0),
        };

        string expected = archInput.Name;
        bool ok = (expected, input.Kind) switch
        {
            ("input_rgb_image_pyramid", InputKind.RgbImagePyramid) => true,
            ("input_rgb_image_sized", InputKind.RgbImageSized) => true,
            ("input_rgb_image", InputKind.RgbImage) => true,
            ("input", InputKind.Matrix) => true,
            _ => false,
        };
        if (!ok)
        {
            throw Fail(source, r.Offset, "the input layer", $"the architecture's input is {archInput} but the file holds '{r.Version}'");
        }

        if (input.Kind == InputKind.RgbImageSized && archInput.Args is { Count: > 0 } sz)
        {
            long nr = sz[0].Number;
            long nc = sz.Count > 1 ? sz[1].Number : nr;
            if (nr != input.FixedRows || nc != input.FixedCols)
            {
                throw Fail(source, r.Offset, "the input layer", $"the architecture's input is {nr}x{nc} but the file's is {input.FixedRows}x{input.FixedCols}");
            }
        }

        if (input.Kind == InputKind.RgbImagePyramid && archInput.Args is { Count: 1 } p && p[0].Name == "pyramid_down" && p[0].Args is { Count: 1 } f)
        {
            input = input with { PyramidDownFactor = (int)f[0].Number };
        }

        return input;
    }

    private static LossLayer BindLoss(string source, DlibRecord r, string archLoss)
    {
        if (!r.Version.StartsWith(archLoss, StringComparison.Ordinal))
        {
            throw Fail(source, r.Offset, "the loss layer", $"the architecture's loss is {archLoss} but the file holds '{r.Version}'");
        }

        switch (r.Version)
        {
            case "loss_metric_2":
                return new MetricLoss((float)r.Real("margin"), (float)r.Real("dist_thresh"));
            case "loss_metric_":
                return new MetricLoss(0.04f, 0.6f);
            case "loss_multiclass_log_":
                return new MulticlassLogLoss();
        }

        var windows = new List<DetectorWindow>();
        if (r.Int("options_version") == 1)
        {
            windows.Add(new DetectorWindow(r.Int("window_width"), r.Int("window_height"), string.Empty));
        }
        else
        {
            long n = r.Int("window_count");
            for (int i = 0; i < n; i++)
            {
                string label = r.Has($"window[{i}].label") ? (string)r[$"window[{i}].label"] : string.Empty;
                windows.Add(new DetectorWindow(r.Int($"window[{i}].width"), r.Int($"window[{i}].height"), label));
            }
        }

        return new MmodLoss(
            windows,
            r.Real("loss_per_false_alarm"),
            r.Real("loss_per_missed_target"),
            r.Real("truth_match_iou_threshold"),
            r.Real("nms_iou_thresh"),
            r.Real("nms_percent_covered_thresh"),
            r.Real("ignore_iou_thresh"),
            r.Real("ignore_percent_covered_thresh"),
            r.Has("assume_image_pyramid") ? (byte)r["assume_image_pyramid"] : 1,
            r.Has("use_bounding_box_regression") && r.Bool("use_bounding_box_regression"),
            r.Has("bbr_lambda") ? r.Real("bbr_lambda") : 100);
    }

    private static Layer BindLayer(string source, int index, DlibRecord r, ArchitectureNode node, bool strictFilters)
    {
        string what = $"layer<{index}> ({r.Version})";
        DlibFormatException Mismatch(string problem) => Fail(source, r.Offset, what, problem);
        bool fits = node.Name switch
        {
            "con" => r.Version is "con_4" or "con_5",
            "fc" or "fc_no_bias" => r.Version is "fc_2" or "fc_3",
            "affine" or "bn_con" or "bn_fc" => r.Version is "affine_" or "affine_2" or "bn_con2" or "bn_fc2",
            "relu" => r.Version == "relu_",
            "max_pool" or "max_pool_everything" => r.Version == "max_pool_2",
            "avg_pool" or "avg_pool_everything" => r.Version == "avg_pool_2",
            "add_prev" => r.Version == "add_prev_",
            "dropout" => r.Version == "dropout_",
            "multiply" => r.Version == "multiply_",
            "concat" => r.Version == "concat_",
            _ => false,
        };
        if (!fits)
        {
            throw Mismatch($"the architecture has {node} here but the file holds a '{r.Version}' record");
        }

        switch (node.Name)
        {
            case "con":
                return BindCon(r, node, Mismatch, strictFilters);
            case "fc":
            case "fc_no_bias":
                return BindFc(r, node, Mismatch);
            case "affine":
            case "bn_con":
            case "bn_fc":
                return BindAffine(r, Mismatch);
            case "relu":
                return new ReluLayer();
            case "dropout":
                return new DropoutLayer((float)r.Real("drop_rate"));
            case "multiply":
                return new MultiplyLayer((float)r.Real("val"));
            case "add_prev":
                return new AddPrevLayer((int)node.Numbers[0]);
            case "concat":
                if (r.Int("tag_count") != node.Numbers.Count)
                {
                    throw Mismatch($"the architecture concatenates {node.Numbers.Count} tags but the file says {r.Int("tag_count")}");
                }

                return new ConcatLayer(node.Numbers.Select(n => (int)n).ToList());
            default:
                return BindPool(r, node, Mismatch);
        }
    }

    private static ConvolutionLayer BindCon(DlibRecord r, ArchitectureNode node, Func<string, DlibFormatException> mismatch, bool strictFilters)
    {
        long nr = r.Int("nr"), nc = r.Int("nc"), sy = r.Int("stride_y"), sx = r.Int("stride_x");
        long py = r.Int("padding_y"), px = r.Int("padding_x");
        IReadOnlyList<long> a = node.Numbers;
        if (a[1] != nr || a[2] != nc || a[3] != sy || a[4] != sx)
        {
            throw mismatch($"the architecture has con<{a[0]},{a[1]},{a[2]},{a[3]},{a[4]}> but the file's layer is {nr}x{nc} with stride {sy},{sx}");
        }

        if (strictFilters && a[0] != r.Int("num_filters"))
        {
            throw mismatch($"the architecture has {a[0]} filters but the file's layer has {r.Int("num_filters")}");
        }

        long expectPy = a.Count >= 7 ? a[5] : (sy != 1 ? 0 : nr / 2), expectPx = a.Count >= 7 ? a[6] : (sx != 1 ? 0 : nc / 2);
        if (py != expectPy || px != expectPx)
        {
            throw mismatch($"padding ({py},{px}) differs from the ({expectPy},{expectPx}) of the architecture's con");
        }

        StoredTensor p = r.Tensor("params");
        StoredTensor f = r.Tensor("filters");
        long filters = r.Int("num_filters");
        bool useBias = !r.Has("use_bias") || r.Bool("use_bias");
        if (f.N != filters || f.Rows != nr || f.Cols != nc || f.K <= 0 || nr <= 0 || nc <= 0 || sy <= 0 || sx <= 0)
        {
            throw mismatch($"filter shape ({f.N},{f.K},{f.Rows},{f.Cols}) does not fit num_filters={filters}, {nr}x{nc}");
        }

        long needed = f.Size + (useBias ? filters : 0);
        if (p.Count < needed)
        {
            throw mismatch($"params hold {p.Count} values but {needed} are needed");
        }

        float[] biases = useBias ? p.Slice((int)f.Size, (int)filters) : [];
        return ConvolutionLayer.FromFilters((int)filters, (int)f.K, (int)nr, (int)nc, (int)sy, (int)sx, (int)py, (int)px, p.Values(0, (int)f.Size), biases);
    }

    private static FullyConnectedLayer BindFc(DlibRecord r, ArchitectureNode node, Func<string, DlibFormatException> mismatch)
    {
        long outputs = r.Int("num_outputs"), inputs = r.Int("num_inputs");
        bool hasBias = r.Int("bias_mode") == 0 && (!r.Has("use_bias") || r.Bool("use_bias"));
        if ((node.Name == "fc") != (r.Int("bias_mode") == 0))
        {
            throw mismatch($"the architecture has {node.Name} but the file's bias mode is {r.Int("bias_mode")}");
        }

        StoredTensor p = r.Tensor("params");
        long needed = (inputs * outputs) + (hasBias ? outputs : 0);
        if (outputs <= 0 || inputs <= 0 || p.Count < needed)
        {
            throw mismatch($"params hold {p.Count} values but {inputs} inputs x {outputs} outputs need {needed}");
        }

        float[] w = p.Slice(0, (int)(inputs * outputs));
        float[] b = hasBias ? p.Slice((int)(inputs * outputs), (int)outputs) : [];
        return new FullyConnectedLayer((int)outputs, (int)inputs, w, b);
    }

    private static AffineLayer BindAffine(DlibRecord r, Func<string, DlibFormatException> mismatch)
    {
        StoredTensor p = r.Tensor("params");
        StoredTensor g = r.Tensor("gamma");
        long n = g.Size;
        if (p.Count < 2 * n)
        {
            if (r.Has("disabled") && r.Bool("disabled"))
            {
                return new AffineLayer(true, [], []);
            }

            throw mismatch($"params hold {p.Count} values but gamma and beta need {2 * n}");
        }

        float[] gamma = p.Slice(0, (int)n);
        float[] beta = p.Slice((int)n, (int)n);
        bool convMode;
        if (r.Version.StartsWith("bn_", StringComparison.Ordinal))
        {
            convMode = r.Version == "bn_con2";
            StoredTensor meansTensor = r.Tensor("running_means");
            StoredTensor variancesTensor = r.Tensor("running_variances");
            float[] means = meansTensor.Slice(0, meansTensor.Count);
            float[] variances = variancesTensor.Slice(0, variancesTensor.Count);
            if (means.Length != n || variances.Length != n)
            {
                throw mismatch($"running statistics hold {means.Length}/{variances.Length} values, expected {n}");
            }

            float eps = (float)r.Real("eps");
            for (int i = 0; i < n; i++)
            {
                float scale = gamma[i] / MathF.Sqrt(variances[i] + eps);
                gamma[i] = scale;
                beta[i] -= scale * means[i];
            }
        }
        else
        {
            convMode = r.Int("mode") == 0;
        }

        return new AffineLayer(convMode, gamma, beta);
    }

    private static PoolLayer BindPool(DlibRecord r, ArchitectureNode node, Func<string, DlibFormatException> mismatch)
    {
        long nr = r.Int("nr"), nc = r.Int("nc"), sy = r.Int("stride_y"), sx = r.Int("stride_x");
        long py = r.Int("padding_y"), px = r.Int("padding_x");
        long[] expected = node.Name.EndsWith("everything", StringComparison.Ordinal) ? [0, 0, 1, 1] : [.. node.Numbers];
        if (expected[0] != nr || expected[1] != nc || expected[2] != sy || expected[3] != sx)
        {
            throw mismatch($"the architecture has {node} but the file's pool is {nr}x{nc} with stride {sy},{sx}");
        }

        if (sy <= 0 || sx <= 0 || nr < 0 || nc < 0 || py < 0 || px < 0)
        {
            throw mismatch($"invalid pool geometry {nr}x{nc} stride {sy},{sx} padding {py},{px}");
        }

        long expectPy = expected.Length >= 6 ? expected[4] : (sy != 1 ? 0 : nr / 2);
        long expectPx = expected.Length >= 6 ? expected[5] : (sx != 1 ? 0 : nc / 2);
        if (py != expectPy || px != expectPx)
        {
            throw mismatch($"padding ({py},{px}) differs from the ({expectPy},{expectPx}) of the architecture's {node}");
        }

        var kind = r.Version == "max_pool_2" ? PoolKind.Max : PoolKind.Average;
        return new PoolLayer(kind, (int)nr, (int)nc, (int)sy, (int)sx, (int)py, (int)px);
    }
}
