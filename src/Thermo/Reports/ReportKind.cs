namespace Thermo.Reports;

/// <summary>Which command produced a report; written in lower case to report.json ("train", "eval", …).</summary>
public enum ReportKind
{
    /// <summary>Any other run; also what a report.json with a kind this Thermo does not know reads as.</summary>
    Other,
    /// <summary>Training a network (digital or thermodynamic).</summary>
    Train,
    /// <summary>Evaluating a checkpoint (forward, mean-field or Gibbs sampling).</summary>
    Eval,
    /// <summary>The end-to-end quickstart.</summary>
    Quickstart,
    /// <summary>Choosing samples per block for a target accuracy at least cost.</summary>
    Schedule,
    /// <summary>Compiling and sampling Ising programs.</summary>
    Ising,
    /// <summary>Langevin (analog) thermodynamic computers.</summary>
    Langevin,
    /// <summary>Benchmarks.</summary>
    Bench,
    /// <summary>Dataset inspection.</summary>
    Data,
}
