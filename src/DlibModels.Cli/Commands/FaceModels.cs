using System.CommandLine;
using DlibModels.Applications;
using DlibModels.Detection.Mmod;
using DlibModels.Dnn.Format;
using DlibModels.Faces;
using DlibModels.Landmarks;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary>The options shared by the face commands (encode, compare, cluster, chips) and the analyzer they build.</summary>
internal sealed class FaceModels
{
    public Option<string> Model { get; } = new("--model") { Description = "Face recognition network file or name.", DefaultValueFactory = _ => "dlib_face_recognition_resnet_model_v1" };

    public Option<string> Landmarks { get; } = new("--landmarks") { Description = "5- or 68-point shape predictor file or name used for alignment.", DefaultValueFactory = _ => "shape_predictor_5_face_landmarks" };

    public Option<string> Detector { get; } = new("--detector") { Description = "hog (default) or an MMOD face detector file/name.", DefaultValueFactory = _ => "hog" };

    public Option<string> Engine { get; } = Engines.CreateOption();

    public Option<int> Upsample { get; } = new("--upsample") { Description = "Detect on the image pyramid_up'ed N times (boxes mapped back to the original image).", DefaultValueFactory = _ => 0 };

    public void AddTo(Command command, bool withModel = true)
    {
        if (withModel)
        {
            command.Options.Add(Model);
        }

        command.Options.Add(Landmarks);
        command.Options.Add(Detector);
        command.Options.Add(Upsample);
        command.Options.Add(Engine);
    }

    /// <summary>Builds the analyzer, or reports why not on stderr (as <c>dlib-models COMMAND: ...</c>) and returns null.</summary>
    public FaceAnalyzer? TryBuild(ParseResult parse, string commandName, bool needRecognition = true, int engineThreads = 0)
    {
        try
        {
            return Build(parse, needRecognition, engineThreads);
        }
        catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException or ArgumentException)
        {
            Console.Error.WriteLine($"dlib-models {commandName}: {e.Message}");
            return null;
        }
    }

    public FaceAnalyzer Build(ParseResult parse, bool needRecognition = true, int engineThreads = 0)
    {
        string spPath = ModelLocator.Resolve(parse.GetValue(Landmarks)!);
        LicenseNotice.WarnIfRestricted(spPath);
        ShapePredictor sp = ShapePredictor.Load(spPath);
        string engine = parse.GetValue(Engine)!;
        FaceRecognitionModel? net = needRecognition ? LoadRecognition(parse, engineThreads) : null;
        string detector = parse.GetValue(Detector)!;
        MmodDetector? cnn = null;
        if (!detector.Equals("hog", StringComparison.OrdinalIgnoreCase))
        {
            cnn = new MmodDetector(Engines.Create(DnnLoader.LoadNetwork(ModelLocator.Resolve(detector)), engine, engineThreads));
        }

        return new FaceAnalyzer(sp, net, cnn);
    }

    /// <summary>
    /// Loads what a command needs for photos (the whole analyzer) or for aligned chips (the network alone),
    /// or reports why not on stderr (as <c>dlib-models COMMAND: ...</c>) and returns false.
    /// </summary>
    public bool TryLoad(ParseResult parse, string commandName, bool chips, int engineThreads, out FaceAnalyzer? analyzer, out FaceRecognitionModel net)
    {
        analyzer = null;
        net = null!;
        try
        {
            if (chips)
            {
                net = LoadRecognition(parse, engineThreads);
            }
            else
            {
                analyzer = Build(parse, engineThreads: engineThreads);
                net = analyzer.Recognition!;
            }

            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or Serialization.DlibFormatException or IOException or ArgumentException)
        {
            Console.Error.WriteLine($"dlib-models {commandName}: {e.Message}");
            return false;
        }
    }

    /// <summary>The --model face recognition network, run on the --engine engine.</summary>
    public FaceRecognitionModel LoadRecognition(ParseResult parse, int engineThreads = 0)
    {
        FaceRecognitionModel model = FaceRecognitionModel.Load(ModelLocator.Resolve(parse.GetValue(Model)!), engineThreads);
        return Engines.IsOrt(parse.GetValue(Engine)) ? new FaceRecognitionModel(Engines.Create(model.Network, Engines.Ort, engineThreads)) : model;
    }
}
