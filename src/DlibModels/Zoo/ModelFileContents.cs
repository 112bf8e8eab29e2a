using DlibModels.Dnn;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Serialization;

namespace DlibModels.Zoo;

/// <summary>One object found in a model file.</summary>
/// <param name="Kind">What it is: <c>net</c>, <c>labels</c>, <c>shape_predictor</c>, <c>image</c>, <c>object_detector</c>.</param>
/// <param name="Summary">A one-line description.</param>
/// <param name="StartOffset">First byte (decompressed).</param>
/// <param name="EndOffset">Just past the last byte.</param>
public sealed record ModelObject(string Kind, string Summary, long StartOffset, long EndOffset);

/// <summary>
/// Everything a dlib model file holds, read as a typed sequence: a network optionally followed by
/// ImageNet labels, or by a shape predictor and overlay images (vehicle and hipsterizer files).
/// </summary>
public sealed class ModelFileContents
{
    private ModelFileContents(string path, long byteCount, IReadOnlyList<ModelObject> objects, DnnNetwork? network, IReadOnlyList<string>? labels, IReadOnlyList<RgbaImage> images, ShapePredictor? predictor)
    {
        ShapePredictor = predictor;
        Path = path;
        ByteCount = byteCount;
        Objects = objects;
        Network = network;
        Labels = labels;
        Images = images;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Decompressed size.</summary>
    public long ByteCount { get; }

    /// <summary>The objects in file order.</summary>
    public IReadOnlyList<ModelObject> Objects { get; }

    /// <summary>The network, when the file starts with one.</summary>
    public DnnNetwork? Network { get; }

    /// <summary>Class labels stored after the network (ImageNet classifier).</summary>
    public IReadOnlyList<string>? Labels { get; }

    /// <summary>Images stored after the network (the hipsterizer's glasses and mustache).</summary>
    public IReadOnlyList<RgbaImage> Images { get; }

    /// <summary>The shape predictor stored after the network (vehicle and hipsterizer files).</summary>
    public ShapePredictor? ShapePredictor { get; }

    /// <summary>Learnable parameters of the network (0 without one).</summary>
    public long ParameterCount => Network?.ParameterCount ?? 0;

    /// <summary>Reads the whole file; every byte must be accounted for.</summary>
    /// <exception cref="DlibFormatException">The file is not a dlib model this library reads.</exception>
    public static ModelFileContents Read(string path, string? architecture = null)
    {
        byte[] bytes = ModelFile.ReadAllBytes(path);
        var reader = new DlibReader(bytes, path);
        var objects = new List<ModelObject>();
        DnnNetwork net;
        DnnStreamContent content;
        try
        {
            (net, content) = DnnLoader.Read(reader, architecture);
        }
        catch (DlibFormatException notNet) when (architecture is null)
        {
            return ReadNonNetwork(path, bytes, notNet);
        }

        objects.Add(new ModelObject("net", $"{net.Loss.Kind} network, {net.Layers.Count} layers, {net.ParameterCount} parameters", content.StartOffset, content.EndOffset));
        IReadOnlyList<string>? labels = null;
        var images = new List<RgbaImage>();
        ShapePredictor? predictor = null;
        if (!reader.AtEnd)
        {
            long at = reader.Position;
            labels = TryRead(reader, r =>
            {
                IReadOnlyList<string> l = StringVector.Read(r);
                r.RequireEnd();
                return l;
            });
            if (labels is not null)
            {
                objects.Add(new ModelObject("labels", $"{labels.Count} labels", at, reader.Position));
            }
            else
            {
                predictor = TrailingObjects.Read(reader, objects, images);
            }
        }

        reader.RequireEnd();
        return new ModelFileContents(path, bytes.LongLength, objects, net, labels, images, predictor);
    }

    /// <summary>A file that holds a single shape predictor or HOG object detector instead of a network.</summary>
    private static ModelFileContents ReadNonNetwork(string path, byte[] bytes, DlibFormatException notNet)
    {
        var reader = new DlibReader(bytes, path);
        ShapePredictor? predictor = TryRead(reader, r =>
        {
            ShapePredictor sp = ShapePredictor.Read(r);
            r.RequireEnd();
            return sp;
        });
        if (predictor is not null)
        {
            return new ModelFileContents(path, bytes.LongLength, [new ModelObject("shape_predictor", $"{predictor.NumParts}-part shape predictor, {predictor.NumCascades} cascades, {predictor.NumTrees} trees", 0, bytes.LongLength)], null, null, [], predictor);
        }

        reader.Position = 0;
        Detection.Hog.HogObjectDetector? hog = TryRead(reader, r =>
        {
            Detection.Hog.HogObjectDetector d = Detection.Hog.HogObjectDetector.Read(r);
            r.RequireEnd();
            return d;
        });
        if (hog is not null)
        {
            return new ModelFileContents(path, bytes.LongLength, [new ModelObject("object_detector", $"object_detector<scan_fhog_pyramid<pyramid_down<6>>>: {hog.NumDetectors} filters, {hog.DetectionWindowWidth}x{hog.DetectionWindowHeight} window", 0, bytes.LongLength)], null, null, [], null);
        }

        throw new DlibFormatException(notNet.Source, notNet.Offset, notNet.ObjectName, notNet.Problem + "; it is not a shape_predictor or HOG object_detector either", notNet);
    }

    private static T? TryRead<T>(DlibReader reader, Func<DlibReader, T> read)
        where T : class
    {
        long at = reader.Position;
        try
        {
            return read(reader);
        }
        catch (DlibFormatException)
        {
            reader.Position = at;
            return null;
        }
    }
}
