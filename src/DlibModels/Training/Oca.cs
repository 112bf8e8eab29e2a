namespace DlibModels.Training;

/// <summary>
/// A risk minimisation problem for <see cref="Oca"/>: minimise ½‖w‖² + C·R(w) for a convex risk R
/// given by its value and a subgradient (dlib's <c>oca_problem</c>).
/// </summary>
internal interface IOcaProblem
{
    /// <summary>The C of the objective.</summary>
    double C { get; }

    /// <summary>Length of w.</summary>
    int NumDimensions { get; }

    /// <summary>A lower bound of the risk, when one is known.</summary>
    bool RiskLowerBound(out double bound);

    /// <summary>The risk at <paramref name="w"/> and a subgradient there.</summary>
    void GetRisk(double[] w, out double risk, double[] subgradient);

    /// <summary>Reports progress; returns true to stop.</summary>
    bool Status(double objective, double objectiveGap, double risk, double riskGap, int planes, int iteration);
}

/// <summary>
/// dlib's <c>oca</c> solver (optimized cutting plane algorithm, Franc and Sonnenburg) without the
/// non-negativity, prior and elastic net variants: a bundle of cutting planes whose dual QP is
/// solved by SMO, warm started, with planes dropped after 20 inactive iterations.
/// </summary>
internal sealed class Oca
{
    /// <summary>Accuracy bound of each QP subproblem.</summary>
    public double SubproblemEpsilon { get; init; } = 1e-2;

    /// <summary>Iteration cap of each QP subproblem.</summary>
    public int SubproblemMaxIterations { get; init; } = 50000;

    /// <summary>Iterations a plane may stay inactive before it is dropped.</summary>
    public int InactivePlaneThreshold { get; init; } = 20;

    /// <summary>Wall-clock limit.</summary>
    public TimeSpan MaxRuntime { get; init; } = TimeSpan.MaxValue;

    /// <summary>Minimises the problem, returning w and the final objective value.</summary>
    public (double[] W, double Objective) Solve(IOcaProblem problem, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        int dims = problem.NumDimensions;
        double c = problem.C;
        var planes = new List<double[]>();
        var bs = new List<double>();
        var missCount = new List<int>();
        var alpha = new List<double>();
        var k = new List<List<double>>();
        var w = new double[dims];
        double curObj = double.MaxValue;
        double cpObj = 0;

        if (problem.RiskLowerBound(out double lower))
        {
            bs.Add(lower);
            planes.Add(new double[dims]);
            alpha.Add(c);
            missCount.Add(0);
            k.Add([0.0]);
        }

        DateTime stopAt = MaxRuntime == TimeSpan.MaxValue ? DateTime.MaxValue : DateTime.UtcNow + MaxRuntime;
        int counter = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var plane = new double[dims];
            problem.GetRisk(w, out double curRisk, plane);
            bs.Add(curRisk - Dot(w, plane));
            planes.Add(plane);
            missCount.Add(0);
            alpha.Add(alpha.Count == 0 ? c : 0);

            double wnorm = 0.5 * Dot(w, w);
            curObj = wnorm + (c * curRisk);
            double riskGap = curRisk - ((cpObj - wnorm) / c);
            if (counter > 0 && problem.Status(curObj, curObj - cpObj, curRisk, riskGap, planes.Count, counter))
            {
                break;
            }

            if (DateTime.UtcNow >= stopAt)
            {
                break;
            }

            // Grow the Gram matrix by the new plane's row and column.
            int n = planes.Count;
            var row = new List<double>(n);
            for (int i = 0; i < n; i++)
            {
                double v = Dot(planes[i], plane);
                if (i < n - 1)
                {
                    k[i].Add(v);
                }

                row.Add(v);
            }

            k.Add(row);

            double eps = Math.Min(SubproblemEpsilon, 0.1 * (curObj - cpObj));
            if (eps < 1e-16)
            {
                eps = 1e-16;
            }

            double[] a = [.. alpha];
            double[] b = [.. bs];
            SolveQpUsingSmo(k, b, a, eps, SubproblemMaxIterations);
            for (int i = 0; i < a.Length; i++)
            {
                alpha[i] = a[i];
            }

            Array.Clear(w);
            for (int i = 0; i < n; i++)
            {
                double ai = alpha[i];
                if (ai != 0)
                {
                    double[] p = planes[i];
                    for (int j = 0; j < dims; j++)
                    {
                        w[j] -= ai * p[j];
                    }
                }
            }

            for (int i = 0; i < n; i++)
            {
                missCount[i] = alpha[i] != 0 ? 0 : missCount[i] + 1;
            }

            double ab = 0;
            for (int i = 0; i < n; i++)
            {
                ab += alpha[i] * bs[i];
            }

            cpObj = (-0.5 * Dot(w, w)) + ab;

            while (missCount.Count > 0)
            {
                int idx = 0;
                for (int i = 1; i < missCount.Count; i++)
                {
                    if (missCount[i] > missCount[idx])
                    {
                        idx = i;
                    }
                }

                if (missCount[idx] < InactivePlaneThreshold)
                {
                    break;
                }

                bs.RemoveAt(idx);
                missCount.RemoveAt(idx);
                alpha.RemoveAt(idx);
                planes.RemoveAt(idx);
                k.RemoveAt(idx);
                foreach (List<double> r in k)
                {
                    r.RemoveAt(idx);
                }
            }

            counter++;
        }

        return (w, curObj);
    }

    /// <summary>
    /// dlib's <c>solve_qp_using_smo</c>: minimises ½αᵀQα − αᵀb subject to α ≥ 0 and Σα constant,
    /// stopping when the duality gap falls below <paramref name="eps"/>.
    /// </summary>
    internal static int SolveQpUsingSmo(IReadOnlyList<IReadOnlyList<double>> q, double[] b, double[] alpha, double eps, int maxIter)
    {
        int n = alpha.Length;
        double sumAlpha = 0;
        foreach (double x in alpha)
        {
            sumAlpha += x;
        }

        var df = new double[n];
        void Gradient()
        {
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                IReadOnlyList<double> qi = q[i];
                for (int j = 0; j < n; j++)
                {
                    s += qi[j] * alpha[j];
                }

                df[i] = s - b[i];
            }
        }

        Gradient();
        const double tau = 1000 * 2.220446049250313e-16; // 1000 · machine epsilon
        int iter = 0;
        for (; iter < maxIter; iter++)
        {
            double big = double.MinValue, little = double.MaxValue;
            int bigIdx = 0, littleIdx = 0;
            for (int i = 0; i < n; i++)
            {
                if (df[i] > big && alpha[i] > 0)
                {
                    big = df[i];
                    bigIdx = i;
                }

                if (df[i] < little)
                {
                    little = df[i];
                    littleIdx = i;
                }
            }

            double gap = 0;
            for (int i = 0; i < n; i++)
            {
                gap += alpha[i] * df[i];
            }

            if (gap - (sumAlpha * little) < eps)
            {
                break;
            }

            double oldBig = alpha[bigIdx];
            double oldLittle = alpha[littleIdx];
            double quad = q[bigIdx][bigIdx] + q[littleIdx][littleIdx] - (2 * q[bigIdx][littleIdx]);
            if (quad <= tau)
            {
                quad = tau;
            }

            double delta = (big - little) / quad;
            alpha[bigIdx] -= delta;
            alpha[littleIdx] += delta;
            if (alpha[bigIdx] < 0)
            {
                alpha[bigIdx] = 0;
                alpha[littleIdx] = oldBig + oldLittle;
            }

            if (iter % 300 == 299)
            {
                Gradient();
            }
            else
            {
                double dBig = alpha[bigIdx] - oldBig;
                double dLittle = alpha[littleIdx] - oldLittle;
                IReadOnlyList<double> qb = q[bigIdx], ql = q[littleIdx];
                for (int i = 0; i < n; i++)
                {
                    df[i] += (qb[i] * dBig) + (ql[i] * dLittle);
                }
            }
        }

        return iter + 1;
    }

    internal static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
