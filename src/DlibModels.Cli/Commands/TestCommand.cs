using System.CommandLine;
using System.Text.Json;
using DlibModels.Datasets;
using DlibModels.ImageIO;
using DlibModels.Landmarks;
using DlibModels.Training;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models test shape-predictor MODEL DATASET.xml [--json]</c>.</summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var command = new Command("test", "Evaluate models on imglab XML datasets, as dlib's test functions do.");
        command.Subcommands.Add(CreateShapePredictor());
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
