using System.CommandLine;
using System.Text.Json;
using DlibModels.Applications;
using DlibModels.Cli.Output;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Randomness;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models encode IMAGES... [--model NET] [--landmarks SP] [--jitters N]</c> and <c>encode --chips CHIPS...</c>.</summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGES") { Description = "Image files or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var chips = new Option<bool>("--chips") { Description = "The inputs are 150x150 aligned face chips: feed them to the network directly." };
        var jitters = new Option<int>("--jitters") { Description = "Average the descriptor over N jitter_image crops (one dlib::rand for the whole run, as dlib's example).", DefaultValueFactory = _ => 0 };
        var csv = new Option<bool>("--csv") { Description = "CSV: image,face,left,top,right,bottom,d0..d127." };
        var json = new Option<bool>("--json") { Description = "JSON Lines: image, decoded, faces (rect, parts, descriptor); the default output, accepted for the common CLI contract." };
        var cpus = new Option<int>("--cpus") { Description = "Images processed at once (default: all cores; 1 when --jitters > 1).", DefaultValueFactory = _ => 0 };
        var faceModels = new FaceModels();
        var command = new Command("encode", "Compute 128-d face descriptors (same person when distance < 0.6), as JSON Lines (default) or CSV.\nExample: dlib-models encode photos/ --landmarks shape_predictor_5_face_landmarks > faces.jsonl")
        {
            images, chips, jitters, csv, json, cpus,
        };
        faceModels.AddTo(command);
        command.SetAction(parse =>
        {
            bool direct = parse.GetValue(chips);
            bool asCsv = parse.GetValue(csv);
            if (asCsv && parse.GetValue(json))
            {
                Console.Error.WriteLine("dlib-models encode: --csv and --json exclude each other");
                return 1;
            }

            int numJitters = parse.GetValue(jitters);
            int parallel = parse.GetValue(jitters) > 1 ? 1 : Batch.Cpus(parse.GetValue(cpus));
            int engineThreads = Batch.EngineThreads(parallel);
            if (!faceModels.TryLoad(parse, "encode", direct, engineThreads, out FaceAnalyzer? analyzer, out FaceRecognitionModel net))
            {
                return 1;
            }

            var random = new DlibRandom();
            int up = parse.GetValue(faceModels.Upsample);

            // Jittering draws from one generator in input order (as dlib's example), so then images run one at a time.
            int total = 0;
            using var stdout = Console.OpenStandardOutput();
            var batch = new Batch();
            batch.Run(
                "encode",
                ImageInputs.Expand(parse.GetValue(images)!),
                parallel,
                path =>
                {
                    RgbImage img = ImageFile.LoadRgb(path);
                    if (direct)
                    {
                        float[] d = numJitters > 1 ? net.ComputeJitteredDescriptor(img, numJitters, random) : net.ComputeDescriptor(img);
                        return (DecodedSummary.Of(img), (IReadOnlyList<Face>?)null, (IReadOnlyList<float[]>)[d]);
                    }

                    IReadOnlyList<Face> faces = analyzer!.FaceLandmarks(img, upsample: up);
                    return (DecodedSummary.Of(img), faces, analyzer.FaceEncodings(img, faces, numJitters: numJitters, random: random));
                },
                (path, r) =>
                {
                    (DecodedSummary img, IReadOnlyList<Face>? faces, IReadOnlyList<float[]> descriptors) = r;
                    total += descriptors.Count;
                    if (asCsv)
                    {
                        for (int i = 0; i < descriptors.Count; i++)
                        {
                            string box = faces is null ? ",,," : $"{faces[i].Rect.Left},{faces[i].Rect.Top},{faces[i].Rect.Right},{faces[i].Rect.Bottom}";
                            Console.WriteLine($"{path},{i},{box},{string.Join(',', descriptors[i].Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}");
                        }

                        return;
                    }

                    JsonFields.Line(stdout, w =>
                    {
                        w.WriteString("image", path);
                        JsonFields.Decoded(w, img);
                        if (faces is null)
                        {
                            Descriptor(w, descriptors[0]);
                            return;
                        }

                        w.WriteNumber("upsampled", up);
                        w.WriteStartArray("faces");
                        for (int i = 0; i < faces.Count; i++)
                        {
                            w.WriteStartObject();
                            JsonFields.Rect(w, "rect", faces[i].Rect);
                            JsonFields.Parts(w, faces[i].Landmarks!.Parts);
                            Descriptor(w, descriptors[i]);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                    });
                });

            if (!Console.IsOutputRedirected)
            {
                Console.Error.WriteLine(batch.Summary("descriptor(s)", total));
            }

            return batch.Failures > 0 ? 2 : 0;
        });
        return command;
    }

    private static void Descriptor(Utf8JsonWriter w, float[] d)
    {
        w.WriteStartArray("descriptor");
        foreach (float v in d)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }
}
