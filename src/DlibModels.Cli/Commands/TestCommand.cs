using System.CommandLine;
using System.Text.Json;
using DlibModels.Datasets;
using DlibModels.Detection.Hog;
using DlibModels.ImageIO;
using DlibModels.Landmarks;
using DlibModels.Training;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models test shape-predictor|hog-detector MODEL DATASET.xml [--json]</c>.</summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var command = new Command("test", "Evaluate models on imglab XML datasets, as dlib's test functions do.");
        command.Subcommands.Add(CreateShapePredictor());
        command.Subcommands.Add(CreateHogDetector());
        return command;
    }

    private static Command CreateHogDetector()
    {
        var model = new Argument<string>("MODEL") { Description = "HOG detector file (object_detector<scan_fhog_pyramid<pyramid_down<6>>>), or 'hog' for dlib's frontal face detector." };
        var dataset = new Argument<string>("DATASET") { Description = "imglab XML file with boxes." };
        var label = new Option<string?>("--label") { Description = "Use only boxes with this label." };
        var upsample = new Option<int>("--upsample") { Description = "upsample_image_dataset<pyramid_down<2>> N times first.", DefaultValueFactory = _ => 0 };
        var threshold = new Option<double>("--threshold") { Description = "adjust_threshold of the detector.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print JSON: precision, recall, average_precision." };
        var command = new Command("hog-detector", "Precision, recall and average precision of a HOG detector on a dataset (dlib's test_object_detection_function; gray images as fhog_object_detector_ex).\nExample: dlib-models test hog-detector hog testing.xml --upsample 1")
        {
            model, dataset, label, upsample, threshold, json,
        };
        command.SetAction(parse =>
        {
            const string me = "dlib-models test hog-detector";
            int up = parse.GetValue(upsample);
            if (up < 0 || up > 3)
            {
                Console.Error.WriteLine($"{me}: --upsample must be between 0 and 3");
                return 1;
            }

            HogObjectDetector det;
            DetectionTestSet set;
            try
            {
                string m = parse.GetValue(model)!;
                det = m is "hog" or "frontal_face_detector" ? HogObjectDetector.FrontalFace : HogObjectDetector.Load(ModelLocator.Resolve(m));
                string? lab = parse.GetValue(label);
                set = DetectionTestSet.Load(ImglabXml.Load(parse.GetValue(dataset)!), ImageFile.LoadGray, lab is null ? null : b => b.Label == lab);
            }
            catch (Exception e) when (e is IOException or ImglabFormatException or ImageDecodeException or Serialization.DlibFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            for (int i = 0; i < up; i++)
            {
                set.Upsample();
            }

            DetectionTestResult r = set.Test(det, parse.GetValue(threshold));
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteNumber("precision", r.Precision);
                    w.WriteNumber("recall", r.Recall);
                    w.WriteNumber("average_precision", r.AveragePrecision);
                    w.WriteNumber("truth_boxes", r.TruthBoxes);
                    w.WriteNumber("detections", r.Detections);
                    w.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Console.WriteLine($"precision {r.Precision:G6}, recall {r.Recall:G6}, average precision {r.AveragePrecision:G6} ({r.TruthBoxes} truth boxes, {r.Detections} detections)");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateShapePredictor()
    {
        var model = new Argument<string>("MODEL") { Description = "Shape predictor file or zoo name." };
        var dataset = new Argument<string>("DATASET") { Description = "imglab XML file with boxes and parts." };
        var label = new Option<string?>("--label") { Description = "Use only boxes with this label." };
        var pixels = new Option<bool>("--pixels") { Description = "Do not normalise by the interocular distance (scale 1)." };
        var json = new Option<bool>("--json") { Description = "Print JSON: mean_error, objects, parts, normalization." };
        var command = new Command("shape-predictor", "Mean landmark error of a shape predictor on a dataset (dlib's test_shape_predictor; normalised by the interocular distance for 68/5-point faces).\nExample: dlib-models test shape-predictor shape_predictor_68_face_landmarks testing_with_face_landmarks.xml --json")
        {
            model, dataset, label, pixels, json,
        };
        command.SetAction(parse =>
        {
            const string me = "dlib-models test shape-predictor";
            ShapePredictor sp;
            LandmarkTrainingSet set;
            try
            {
                string path = ModelLocator.Resolve(parse.GetValue(model)!);
                sp = ShapePredictor.Load(path);
                set = TrainCommand.LoadSet(parse.GetValue(dataset)!, parse.GetValue(label));
            }
            catch (Exception e) when (e is IOException or ImglabFormatException or ImageDecodeException or Serialization.DlibFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            if (set.PartNames.Count != sp.NumParts)
            {
                Console.Error.WriteLine($"{me}: the dataset has {set.PartNames.Count} parts, the model {sp.NumParts}");
                return 1;
            }

            bool inter = !parse.GetValue(pixels) && ShapePredictorTester.InterocularDistances(set.Objects) is not null;
            double err = ShapePredictorTester.MeanError(sp, set, inter);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteNumber("mean_error", err);
                    w.WriteNumber("images", set.Images.Count);
                    w.WriteNumber("objects", set.NumObjects);
                    w.WriteNumber("parts", sp.NumParts);
                    w.WriteString("normalization", inter ? "interocular" : "none");
                    w.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Console.WriteLine($"mean error: {err:G6} ({(inter ? "interocular-normalised" : "pixels")}, {set.NumObjects} objects)");
            }

            return 0;
        });
        return command;
    }
}
