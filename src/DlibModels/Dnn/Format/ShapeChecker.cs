using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>
/// Propagates tensor shapes (channels, and rows/columns when the input size is fixed) through a
/// bound network and rejects wiring under which a layer's parameters do not fit its input.
/// </summary>
internal static class ShapeChecker
{
    public static void Check(string source, DnnStreamContent content, DnnNetwork network)
    {
        var shape = network.Input.Kind == InputKind.RgbImageSized
            ? new Shape(3, network.Input.FixedRows, network.Input.FixedCols)
            : new Shape(network.Input.Kind == InputKind.Matrix ? -1 : 3, -1, -1);
        var tags = new Dictionary<int, Shape>();
        for (int i = 0; i < network.Layers.Count; i++)
        {
            Layer layer = network.Layers[i];
            int dlibIndex = network.Layers.Count - 1 - i;
            DlibFormatException Bad(string problem) =>
                new(source, content.Wrappers[dlibIndex].Details?.Offset ?? content.StartOffset, $"layer<{dlibIndex}> ({layer.Kind})", problem);

            Shape Tagged(int id) => tags.TryGetValue(id, out Shape s) ? s : throw Bad($"refers to tag{id}, but no tag{id} is below it");

            shape = layer switch
            {
                ConvolutionLayer c => Conv(shape, c, Bad),
                FullyConnectedLayer f => Fc(shape, f, Bad),
                AffineLayer a => Affine(shape, a, Bad),
                PoolLayer p => Pool(shape, p, Bad),
                TagLayer t => Remember(tags, t.Id, shape),
                SkipLayer s => Tagged(s.TagId),
                AddPrevLayer ap => Max(shape, Tagged(ap.TagId)),
                ConcatLayer cc => Concat(cc.TagIds.Select(Tagged).ToList(), Bad),
                _ => shape,
            };
        }
    }

    private static Shape Remember(Dictionary<int, Shape> tags, int id, Shape s)
    {
        tags[id] = s;
        return s;
    }

    private static Shape Conv(Shape s, ConvolutionLayer c, Func<string, DlibFormatException> bad)
    {
        if (s.K >= 0 && s.K != c.InputChannels)
        {
            throw bad($"expects {c.InputChannels} input channels but receives {s.K}");
        }

        if (s.Rows < 0)
        {
            return new Shape(c.NumFilters, -1, -1);
        }

        (int r, int cc) = c.OutputSize(s.Rows, s.Cols);
        if (r <= 0 || cc <= 0)
        {
            throw bad($"a {s.Rows}x{s.Cols} input is smaller than the {c.KernelRows}x{c.KernelCols} filter");
        }

        return new Shape(c.NumFilters, r, cc);
    }

    private static Shape Fc(Shape s, FullyConnectedLayer f, Func<string, DlibFormatException> bad)
    {
        if (s.K >= 0 && s.Rows >= 0 && (long)s.K * s.Rows * s.Cols != f.NumInputs)
        {
            throw bad($"expects {f.NumInputs} inputs but receives {s.K}x{s.Rows}x{s.Cols}");
        }

        if (s.K > 0 && f.NumInputs % s.K != 0)
        {
            throw bad($"expects {f.NumInputs} inputs, not a multiple of the {s.K} input channels");
        }

        return new Shape(f.NumOutputs, 1, 1);
    }

    private static Shape Affine(Shape s, AffineLayer a, Func<string, DlibFormatException> bad)
    {
        int n = a.GammaArray.Length;
        if (n == 0)
        {
            return s;
        }

        if (a.ConvolutionMode && s.K >= 0 && s.K != n)
        {
            throw bad($"has {n} per-channel scales but receives {s.K} channels");
        }

        if (!a.ConvolutionMode && s.K >= 0 && s.Rows >= 0 && (long)s.K * s.Rows * s.Cols != n)
        {
            throw bad($"has {n} per-element scales but receives {s.K}x{s.Rows}x{s.Cols}");
        }

        return s;
    }

    private static Shape Pool(Shape s, PoolLayer p, Func<string, DlibFormatException> bad)
    {
        if (p.IsGlobal)
        {
            return new Shape(s.K, 1, 1);
        }

        if (s.Rows < 0)
        {
            return s;
        }

        int r = 1 + ((s.Rows + (2 * p.PaddingY) - p.WindowRows) / p.StrideY);
        int c = 1 + ((s.Cols + (2 * p.PaddingX) - p.WindowCols) / p.StrideX);
        if (r <= 0 || c <= 0)
        {
            throw bad($"a {s.Rows}x{s.Cols} input is smaller than the {p.WindowRows}x{p.WindowCols} window");
        }

        return new Shape(s.K, r, c);
    }

    private static Shape Max(Shape a, Shape b) =>
        new(a.K < 0 || b.K < 0 ? -1 : Math.Max(a.K, b.K), a.Rows < 0 || b.Rows < 0 ? -1 : Math.Max(a.Rows, b.Rows), a.Cols < 0 || b.Cols < 0 ? -1 : Math.Max(a.Cols, b.Cols));

    private static Shape Concat(List<Shape> parts, Func<string, DlibFormatException> bad)
    {
        int k = 0;
        foreach (Shape p in parts)
        {
            if (p.Rows != parts[0].Rows || p.Cols != parts[0].Cols)
            {
                throw bad($"concatenates tensors of different sizes ({parts[0].Rows}x{parts[0].Cols} and {p.Rows}x{p.Cols})");
            }

            k = p.K < 0 || k < 0 ? -1 : k + p.K;
        }

        return new Shape(k, parts[0].Rows, parts[0].Cols);
    }

    private readonly record struct Shape(int K, int Rows, int Cols);
}
