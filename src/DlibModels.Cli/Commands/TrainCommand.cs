using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DlibModels.Datasets;
using DlibModels.Detection.Hog;
using DlibModels.ImageIO;
using DlibModels.Landmarks;
using DlibModels.Serialization;
using DlibModels.Training;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models train shape-predictor|hog-detector DATASET.xml --out FILE [options]</c>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train models from imglab XML datasets, as dlib's trainers do.");
        command.Subcommands.Add(CreateShapePredictor());
        command.Subcommands.Add(CreateHogDetector());
        return command;
    }

    /// <summary>Loads a landmark dataset as dlib's <c>load_image_dataset</c> would (grayscale images).</summary>
    internal static LandmarkTrainingSet LoadSet(string xml, string? label)
    {
        ImageDataset d = ImglabXml.Load(xml);
        Func<DatasetBox, bool>? filter = label is null ? null : b => b.Label == label;
        return LandmarkTrainingSet.Load(d, ImageFile.LoadGray, filter);
    }

    private static Command CreateShapePredictor()
    {
        var defaults = new ShapePredictorTrainerOptions();
        var dataset = new Argument<string>("DATASET") { Description = "imglab XML file with boxes and parts." };
        var output = new Option<string>("--out") { Description = "Output model file (dlib's shape_predictor format).", Required = true };
        var oversampling = new Option<int>("--oversampling") { Description = "Oversampling amount.", DefaultValueFactory = _ => defaults.OversamplingAmount };
        var jitter = new Option<double>("--translation-jitter") { Description = "Oversampling translation jitter.", DefaultValueFactory = _ => 0 };
        var nu = new Option<double>("--nu") { Description = "Regularization (shrinkage) in (0,1].", DefaultValueFactory = _ => defaults.Nu };
        var treeDepth = new Option<int>("--tree-depth") { Description = "Tree depth.", DefaultValueFactory = _ => defaults.TreeDepth };
        var cascadeDepth = new Option<int>("--cascade-depth") { Description = "Cascade depth.", DefaultValueFactory = _ => defaults.CascadeDepth };
        var trees = new Option<int>("--trees-per-level") { Description = "Trees per cascade level.", DefaultValueFactory = _ => defaults.NumTreesPerCascadeLevel };
        var pool = new Option<int>("--feature-pool-size") { Description = "Feature pool size.", DefaultValueFactory = _ => defaults.FeaturePoolSize };
        var padding = new Option<double>("--feature-pool-padding") { Description = "Feature pool region padding.", DefaultValueFactory = _ => 0 };
        var bboxPadding = new Option<bool>("--bbox-relative-padding") { Description = "Use dlib's bounding_box_relative padding mode (default landmark_relative)." };
        var lambda = new Option<double>("--lambda") { Description = "Lambda (pixel-pair distance prior).", DefaultValueFactory = _ => defaults.Lambda };
        var splits = new Option<int>("--test-splits") { Description = "Random splits tried per node.", DefaultValueFactory = _ => defaults.NumTestSplits };
        var seed = new Option<string>("--seed") { Description = "dlib::rand seed string.", DefaultValueFactory = _ => string.Empty };
        var threads = new Option<int>("--threads") { Description = "Threads (as dlib's set_num_threads; the model depends on it slightly).", DefaultValueFactory = _ => 0 };
        var upsample = new Option<int>("--upsample") { Description = "pyramid_up the training images N times first (upsample_image_dataset).", DefaultValueFactory = _ => 0 };
        var flip = new Option<bool>("--flip") { Description = "Add left-right flipped copies (5/68-point face parts are relabelled)." };
        var label = new Option<string?>("--label") { Description = "Use only boxes with this label (dlib's boxes_match_label)." };
        var test = new Option<string?>("--test") { Description = "Also report the mean error on this imglab XML dataset." };
        var json = new Option<bool>("--json") { Description = "Print the final report as JSON." };
        var command = new Command("shape-predictor", "Train a dlib shape_predictor (shape_predictor_trainer).\nExample: dlib-models train shape-predictor training_with_face_landmarks.xml --out sp.dat --oversampling 300 --nu 0.05 --tree-depth 2 --threads 2")
        {
            dataset, output, oversampling, jitter, nu, treeDepth, cascadeDepth, trees, pool, padding, bboxPadding, lambda, splits, seed, threads, upsample, flip, label, test, json,
        };
        command.SetAction(parse =>
        {
            const string me = "dlib-models train shape-predictor";
            ShapePredictorTrainerOptions options;
            try
            {
                options = new ShapePredictorTrainerOptions
                {
                    OversamplingAmount = parse.GetValue(oversampling),
                    OversamplingTranslationJitter = parse.GetValue(jitter),
                    Nu = parse.GetValue(nu),
                    TreeDepth = parse.GetValue(treeDepth),
                    CascadeDepth = parse.GetValue(cascadeDepth),
                    NumTreesPerCascadeLevel = parse.GetValue(trees),
                    FeaturePoolSize = parse.GetValue(pool),
                    FeaturePoolRegionPadding = parse.GetValue(padding),
                    PaddingMode = parse.GetValue(bboxPadding) ? ShapePaddingMode.BoundingBoxRelative : ShapePaddingMode.LandmarkRelative,
                    Lambda = parse.GetValue(lambda),
                    NumTestSplits = parse.GetValue(splits),
                    RandomSeed = parse.GetValue(seed) ?? string.Empty,
                    NumThreads = parse.GetValue(threads),
                };
                options.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            int up = parse.GetValue(upsample);
            if (up < 0 || up > 3)
            {
                Console.Error.WriteLine($"{me}: --upsample must be between 0 and 3");
                return 1;
            }

            bool asJson = parse.GetValue(json);
            LandmarkTrainingSet train;
            LandmarkTrainingSet? testSet = null;
            try
            {
                train = LoadSet(parse.GetValue(dataset)!, parse.GetValue(label));
                string? testPath = parse.GetValue(test);
                if (testPath is not null)
                {
                    testSet = LoadSet(testPath, parse.GetValue(label));
                }
            }
            catch (Exception e) when (e is IOException or ImglabFormatException or ImageDecodeException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            for (int i = 0; i < up; i++)
            {
                train.Upsample();
                testSet?.Upsample();
            }

            if (parse.GetValue(flip))
            {
                int[]? map = DatasetTransforms.FaceMirrorMap(train.PartNames.Count);
                if (map is null)
                {
                    Console.Error.WriteLine($"{me}: warning: --flip with {train.PartNames.Count} parts: no mirror map, parts keep their indices");
                }

                train.AddLeftRightFlips(map);
            }

            Console.Error.WriteLine($"{me}: {train.Images.Count} images, {train.NumObjects} objects, {train.PartNames.Count} parts; {options.CascadeDepth}x{options.NumTreesPerCascadeLevel} trees");
            var sw = Stopwatch.StartNew();
            ShapePredictor sp;
            byte[] bytes;
            try
            {
                var trainer = new ShapePredictorTrainer(options);
                long lastTick = 0;
                bytes = trainer.TrainToBytes(train.Images, train.Objects, (done, total) =>
                {
                    long now = sw.ElapsedMilliseconds;
                    if (now - lastTick >= 500 || done == total)
                    {
                        lastTick = now;
                        double eta = done == 0 ? 0 : now / 1000.0 * (total - done) / done;
                        Console.Error.Write($"\rFitting trees: {done}/{total} ({100.0 * done / total:F1}%), {now / 1000.0:F0} s elapsed, ~{eta:F0} s left   ");
                    }
                });
                Console.Error.WriteLine();
                sp = ShapePredictor.Read(new DlibReader(bytes, "trained"));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            double seconds = sw.Elapsed.TotalSeconds;
            string outPath = parse.GetValue(output)!;
            try
            {
                File.WriteAllBytes(outPath, bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            bool inter = ShapePredictorTester.InterocularDistances(train.Objects) is not null;
            double trainError = ShapePredictorTester.MeanError(sp, train, inter);
            double? testError = testSet is null ? null : ShapePredictorTester.MeanError(sp, testSet, inter);
            if (asJson)
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("model", outPath);
                    w.WriteNumber("images", train.Images.Count);
                    w.WriteNumber("objects", train.NumObjects);
                    w.WriteNumber("parts", train.PartNames.Count);
                    w.WriteNumber("trees", sp.NumTrees);
                    w.WriteNumber("seconds", Math.Round(seconds, 3));
                    w.WriteString("normalization", inter ? "interocular" : "none");
                    w.WriteNumber("mean_error", trainError);
                    if (testError is not null)
                    {
                        w.WriteNumber("test_mean_error", testError.Value);
                    }

                    w.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Console.WriteLine($"wrote {outPath}: {sp.NumParts} parts, {sp.NumCascades} cascades, {sp.NumTrees} trees, trained in {seconds:F1} s");
                Console.WriteLine($"mean training error: {trainError:G6}{(inter ? " (interocular)" : " (pixels)")}");
                if (testError is not null)
                {
                    Console.WriteLine($"mean testing error:  {testError.Value:G6}");
                }
            }

            return 0;
        });
        return command;
    }
    private static bool TryParseSize(string s, out int w, out int h)
    {
        w = h = 0;
        string[] p = s.ToLowerInvariant().Split('x');
        return p.Length == 2 && int.TryParse(p[0], out w) && int.TryParse(p[1], out h) && w > 0 && h > 0;
    }

    private static Command CreateHogDetector()
    {
        var dataset = new Argument<string>("DATASET") { Description = "imglab XML file with boxes." };
        var output = new Option<string>("--out") { Description = "Output detector file (dlib's object_detector<scan_fhog_pyramid<pyramid_down<6>>> format).", Required = true };
        var c = new Option<double>("--c") { Description = "SVM C.", DefaultValueFactory = _ => 1 };
        var epsilon = new Option<double>("--epsilon") { Description = "Stopping tolerance (risk gap).", DefaultValueFactory = _ => 0.01 };
        var window = new Option<string>("--window") { Description = "Detection window WxH in pixels.", DefaultValueFactory = _ => "80x80" };
        var upsample = new Option<int>("--upsample") { Description = "pyramid_up the images N times first (upsample_image_dataset).", DefaultValueFactory = _ => 0 };
        var flip = new Option<bool>("--flip") { Description = "Add left-right flipped copies (add_image_left_right_flips)." };
        var threads = new Option<int>("--threads") { Description = "Threads (0: all cores). The result does not depend on it.", DefaultValueFactory = _ => 0 };
        var matchIou = new Option<double>("--match-iou") { Description = "IoU above which a detection hits a truth box during training (match_eps).", DefaultValueFactory = _ => 0.5 };
        var nuclear = new Option<double>("--nuclear-norm") { Description = "Nuclear norm regularization strength (0: off).", DefaultValueFactory = _ => 0 };
        var cache = new Option<int>("--cache-size") { Description = "Cached oracle results per image.", DefaultValueFactory = _ => 5 };
        var missLoss = new Option<double>("--loss-missed") { Description = "Loss per missed target.", DefaultValueFactory = _ => 1 };
        var faLoss = new Option<double>("--loss-false-alarm") { Description = "Loss per false alarm.", DefaultValueFactory = _ => 1 };
        var cell = new Option<int>("--cell-size") { Description = "HOG cell size.", DefaultValueFactory = _ => 8 };
        var padding = new Option<int>("--padding") { Description = "Filter padding in cells.", DefaultValueFactory = _ => 1 };
        var label = new Option<string?>("--label") { Description = "Use only boxes with this label." };
        var test = new Option<string?>("--test") { Description = "Also report precision/recall/AP on this imglab XML dataset (upsampled like the training set)." };
        var json = new Option<bool>("--json") { Description = "Print the final report as JSON." };
        var command = new Command("hog-detector", "Train a dlib HOG object detector (structural_object_detection_trainer over scan_fhog_pyramid<pyramid_down<6>>).\nExample (dlib's fhog_object_detector_ex): dlib-models train hog-detector training.xml --out face_detector.svm --upsample 1 --flip --test testing.xml")
        {
            dataset, output, c, epsilon, window, upsample, flip, threads, matchIou, nuclear, cache, missLoss, faLoss, cell, padding, label, test, json,
        };
        command.SetAction(parse =>
        {
            const string me = "dlib-models train hog-detector";
            if (!TryParseSize(parse.GetValue(window)!, out int ww, out int wh))
            {
                Console.Error.WriteLine($"{me}: --window must look like 80x80");
                return 1;
            }

            HogDetectorTrainerOptions options;
            try
            {
                options = new HogDetectorTrainerOptions
                {
                    DetectionWindowWidth = ww,
                    DetectionWindowHeight = wh,
                    C = parse.GetValue(c),
                    Epsilon = parse.GetValue(epsilon),
                    NumThreads = parse.GetValue(threads),
                    MatchEps = parse.GetValue(matchIou),
                    NuclearNormRegularizationStrength = parse.GetValue(nuclear),
                    MaxCacheSize = parse.GetValue(cache),
                    LossPerMissedTarget = parse.GetValue(missLoss),
                    LossPerFalseAlarm = parse.GetValue(faLoss),
                    CellSize = parse.GetValue(cell),
                    Padding = parse.GetValue(padding),
                };
                options.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            int up = parse.GetValue(upsample);
            if (up < 0 || up > 3)
            {
                Console.Error.WriteLine($"{me}: --upsample must be between 0 and 3");
                return 1;
            }

            string? lab = parse.GetValue(label);
            Func<DatasetBox, bool>? filter = lab is null ? null : b => b.Label == lab;
            DetectionTestSet train;
            DetectionTestSet? testSet = null;
            try
            {
                train = DetectionTestSet.Load(ImglabXml.Load(parse.GetValue(dataset)!), ImageFile.LoadGray, filter);
                string? testPath = parse.GetValue(test);
                if (testPath is not null)
                {
                    testSet = DetectionTestSet.Load(ImglabXml.Load(testPath), ImageFile.LoadGray, filter);
                }
            }
            catch (Exception e) when (e is IOException or ImglabFormatException or ImageDecodeException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            for (int i = 0; i < up; i++)
            {
                train.Upsample();
                testSet?.Upsample();
            }

            if (parse.GetValue(flip))
            {
                HogDetectorTrainer.AddLeftRightFlips(train);
            }

            bool asJson = parse.GetValue(json);
            int numBoxes = train.Boxes.Sum(b => b.Count);
            Console.Error.WriteLine($"{me}: {train.Images.Count} images, {numBoxes} boxes; window {ww}x{wh}, C {options.C}, epsilon {options.Epsilon}");
            var sw = Stopwatch.StartNew();
            HogObjectDetector detector;
            int iterations = 0;
            try
            {
                var trainer = new HogDetectorTrainer(options);
                detector = trainer.Train(train, p =>
                {
                    iterations = p.Iteration;
                    Console.Error.WriteLine($"iter {p.Iteration,4}: objective {p.Objective:G6}, risk {p.Risk:G6}, risk gap {p.RiskGap:G4}, planes {p.NumPlanes}, {sw.Elapsed.TotalSeconds:F1} s");
                });
            }
            catch (Exception e) when (e is ArgumentException or ImpossibleLabelingException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            double seconds = sw.Elapsed.TotalSeconds;
            string outPath = parse.GetValue(output)!;
            try
            {
                using FileStream fs = File.Create(outPath);
                detector.Save(fs);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"{me}: {e.Message}");
                return 1;
            }

            DetectionTestResult trainResult = train.Test(detector);
            DetectionTestResult? testResult = testSet?.Test(detector);
            if (asJson)
            {
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("model", outPath);
                    w.WriteNumber("images", train.Images.Count);
                    w.WriteNumber("boxes", numBoxes);
                    w.WriteNumber("iterations", iterations);
                    w.WriteNumber("seconds", Math.Round(seconds, 3));
                    w.WriteNumber("threshold", detector.GetThreshold(0));
                    w.WriteNumber("overlap_iou", detector.OverlapTester.IouThreshold);
                    w.WriteNumber("overlap_covered", detector.OverlapTester.PercentCoveredThreshold);
                    WriteResult(w, "training", trainResult);
                    if (testResult is not null)
                    {
                        WriteResult(w, "testing", testResult);
                    }

                    w.WriteEndObject();
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                Console.WriteLine($"wrote {outPath}: {detector.FilterWidth}x{detector.FilterHeight} cell filter, threshold {detector.GetThreshold(0):G6}, overlap IoU {detector.OverlapTester.IouThreshold:G6} covered {detector.OverlapTester.PercentCoveredThreshold:G6}; {iterations} iterations in {seconds:F1} s");
                Console.WriteLine($"training results: precision {trainResult.Precision:G6} recall {trainResult.Recall:G6} average_precision {trainResult.AveragePrecision:G6}");
                if (testResult is not null)
                {
                    Console.WriteLine($"testing results:  precision {testResult.Precision:G6} recall {testResult.Recall:G6} average_precision {testResult.AveragePrecision:G6}");
                }
            }

            return 0;
        });
        return command;
    }

    private static void WriteResult(Utf8JsonWriter w, string name, DetectionTestResult r)
    {
        w.WriteStartObject(name);
        w.WriteNumber("precision", r.Precision);
        w.WriteNumber("recall", r.Recall);
        w.WriteNumber("average_precision", r.AveragePrecision);
        w.WriteNumber("truth_boxes", r.TruthBoxes);
        w.WriteNumber("detections", r.Detections);
        w.WriteEndObject();
    }
}
