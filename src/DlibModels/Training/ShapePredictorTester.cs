using DlibModels.Datasets;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Training;

/// <summary>dlib's <c>test_shape_predictor</c> and the interocular normalisation of its examples.</summary>
public static class ShapePredictorTester
{
    /// <summary>
    /// The mean, over all present parts of all objects, of the distance between the predicted and the
    /// true part divided by the object's scale (dlib's <c>test_shape_predictor(sp, images, objects, scales)</c>;
    /// a null <paramref name="scales"/> means scale 1).
    /// </summary>
    public static double MeanError(ShapePredictor predictor, IReadOnlyList<GrayImage> images, IReadOnlyList<IReadOnlyList<FullObjectDetection>> objects, IReadOnlyList<IReadOnlyList<double>>? scales = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(objects);
        if (images.Count != objects.Count)
        {
            throw new ArgumentException("images and objects differ in length");
        }

        // The predictions are independent; compute them in parallel and add up in dlib's order.
        var errors = new double[images.Count][];
        Parallel.For(0, images.Count, i =>
        {
            var list = new List<double>();
            for (int j = 0; j < objects[i].Count; j++)
            {
                FullObjectDetection truth = objects[i][j];
                if (truth.NumParts != predictor.NumParts)
                {
                    throw new ArgumentException($"object {j} of image {i} has {truth.NumParts} parts; the predictor has {predictor.NumParts}");
                }

                double scale = scales is null ? 1 : scales[i][j];
                FullObjectDetection det = predictor.Predict(images[i], truth.Rect);
                for (int k = 0; k < det.NumParts; k++)
                {
                    Point t = truth.Part(k);
                    if (t != DatasetBox.PartNotPresent)
                    {
                        double dx = det.Part(k).X - t.X, dy = det.Part(k).Y - t.Y;
                        list.Add(Math.Sqrt((dx * dx) + (dy * dy)) / scale);
                    }
                }
            }

            errors[i] = [.. list];
        });
        double sum = 0;
        long n = 0;
        foreach (double[] e in errors)
        {
            foreach (double v in e)
            {
                sum += v;
                n++;
            }
        }

        return n == 0 ? 0 : sum / n;
    }

    /// <summary>As <see cref="MeanError(ShapePredictor, IReadOnlyList{GrayImage}, IReadOnlyList{IReadOnlyList{FullObjectDetection}}, IReadOnlyList{IReadOnlyList{double}}?)"/> over a loaded set, normalised by <see cref="InterocularDistances"/> when <paramref name="interocular"/>.</summary>
    public static double MeanError(ShapePredictor predictor, LandmarkTrainingSet set, bool interocular)
    {
        ArgumentNullException.ThrowIfNull(set);
        return MeanError(predictor, set.Images, set.Objects, interocular ? InterocularDistances(set.Objects) : null);
    }

    /// <summary>
    /// The interocular distance of a face: for 68 points the distance between the means of points
    /// 36–41 and 42–47 (as dlib's train_shape_predictor example); for the 5-point layout the
    /// distance between the midpoints of parts 0,1 and 2,3. Null for other layouts.
    /// </summary>
    public static double? InterocularDistance(FullObjectDetection det)
    {
        ArgumentNullException.ThrowIfNull(det);
        (int a0, int a1, int b0, int b1) = det.NumParts switch
        {
            68 => (36, 41, 42, 47),
            5 => (0, 1, 2, 3),
            _ => (-1, -1, -1, -1),
        };
        if (a0 < 0)
        {
            return null;
        }

        static (double X, double Y) Mean(FullObjectDetection d, int from, int to)
        {
            double x = 0, y = 0, cnt = 0;
            for (int i = from; i <= to; i++)
            {
                x += d.Part(i).X;
                y += d.Part(i).Y;
                cnt++;
            }

            return (x / cnt, y / cnt);
        }

        (double lx, double ly) = Mean(det, a0, a1);
        (double rx, double ry) = Mean(det, b0, b1);
        return Math.Sqrt(((lx - rx) * (lx - rx)) + ((ly - ry) * (ly - ry)));
    }

    /// <summary>The interocular distance of every object (null when any object has another layout).</summary>
    public static IReadOnlyList<IReadOnlyList<double>>? InterocularDistances(IReadOnlyList<IReadOnlyList<FullObjectDetection>> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var result = new List<IReadOnlyList<double>>();
        foreach (IReadOnlyList<FullObjectDetection> list in objects)
        {
            var d = new List<double>();
            foreach (FullObjectDetection o in list)
            {
                double? v = InterocularDistance(o);
                if (v is null)
                {
                    return null;
                }

                d.Add(v.Value);
            }

            result.Add(d);
        }

        return result;
    }
}
