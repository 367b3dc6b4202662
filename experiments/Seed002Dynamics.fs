/// Seed 002 (Madry's notes, sec. 2, after Li, Mądry, Peebles & Schmidt 2017): the GAN dynamics lab. Two-Gaussian
/// generator ½N(μ̂1, 1) + ½N(μ̂2, 1), two-interval discriminator, optimal-discriminator and first-order dynamics.
module GanFlow.Experiments.Seed002Dynamics

open GanFlow.Core.Dynamics

/// Fig. 1's setting: μ* = (−0.5, 0.5), η_g = η_d = 0.1, every run from μ̂⁽⁰⁾ = (−2, 1.5); only the discriminator's
/// initial intervals differ between the first-order panels. 5,000 steps: first-order runs that converge spiral in
/// slowly (tail radius still ~0.04 at 2,000 steps, ~0.002 at 5,000).
let private fig1Run =
    { DynamicsSpec.Default with
        TrueMeans = [ -0.5; 0.5 ]
        InitialMeans = [ -2.0; 1.5 ]
        GeneratorStep = 0.1
        DiscriminatorStep = 0.1
        Steps = 5_000 }

/// Seed 002 Fig. 1: optimal-discriminator dynamics converge; first-order dynamics converge, stall or collapse
/// depending on where the discriminator starts. A label says what the notes' panel shows, as "(the notes: …)": the
/// run's own outcome, which `--steps` can change, is printed after it. The initial intervals of (b)-(d) were picked from a grid of round
/// values as the first whose outcome is the panel's at both 2,000 and 5,000 steps.
let fig1 =
    { Name = "seed002-fig1"
      Description = "seed 002 Fig. 1: mu* = (-0.5, 0.5), step 0.1, optimal vs first-order dynamics from mu0 = (-2, 1.5)"
      Kind =
        DynamicsExperimentKind.Figure
            [ { Label = "(a) optimal discriminator"; Run = { fig1Run with Rule = DynamicsRule.Optimal; InitialIntervals = [] }; View = PanelView.Traces }
              { Label = "(b) first order, D0 = [-2, -1.5] u [1.5, 2] (the notes: stalls away from mu*, vanishing gradient; here both intervals collapse)"
                Run = { fig1Run with InitialIntervals = [ -2.0; -1.5; 1.5; 2.0 ] }
                View = PanelView.Traces }
              { Label = "(c) first order, D0 = [-2, -0.5] u [0.5, 2] (the notes: converges)"
                Run = { fig1Run with InitialIntervals = [ -2.0; -0.5; 0.5; 2.0 ] }
                View = PanelView.Traces }
              { Label = "(d) first order, D0 = [-2.5, -2] u [-1, 1] (the notes: mode collapse)"
                Run = { fig1Run with InitialIntervals = [ -2.5; -2.0; -1.0; 1.0 ] }
                View = PanelView.Traces } ]
      Tolerances = OutcomeTolerances.Default }

/// Fig. 2's initial configuration, read as μ* = (−2, 2), μ̂ = (−1, 2.5), D = [−1, 0.2] ∪ [2, 5]. The notes print
/// μ̂ = "{−1, 2, 5}" and a right interval "[−1, 2.5]": three means and an interval overlapping the left one cannot
/// both be right; the two strings hold the same tokens, so the reading taken swaps them back (μ̂ = {−1, 2.5}, right
/// interval [2, 5]), the only one with two means and ordered intervals l1 ≤ r1 ≤ l2 ≤ r2.
let private fig2Run =
    { DynamicsSpec.Default with
        TrueMeans = [ -2.0; 2.0 ]
        InitialMeans = [ -1.0; 2.5 ]
        InitialIntervals = [ -1.0; 0.2; 2.0; 5.0 ]
        GeneratorStep = 0.3
        DiscriminatorStep = 0.3
        Steps = 1_000 }

/// Seed 002 Fig. 2, discriminator collapse: (a) the initial configuration, (b) the optimal discriminator for it,
/// (c) 1,000 steps of the discriminator alone against the fixed generator, (d)-(e) 1,000 steps of first-order
/// dynamics, step 0.3. The notes call (d) and (e) "slightly different variations" without saying which; here (d)
/// uses η_g = η_d = 0.3 and (e) a generator ten times slower (η_g = 0.03, η_d = 0.3).
let fig2 =
    { Name = "seed002-fig2"
      Description = "seed 002 Fig. 2: discriminator collapse, mu* = (-2, 2), mu0 = (-1, 2.5), D0 = [-1, 0.2] u [2, 5], step 0.3, 1,000 steps"
      Kind =
        DynamicsExperimentKind.Figure
            [ { Label = "(a) initial configuration"; Run = { fig2Run with Steps = 1 }; View = PanelView.DifferenceAtStart }
              { Label = "(b) optimal discriminator for it"; Run = { fig2Run with Rule = DynamicsRule.Optimal; Steps = 1 }; View = PanelView.DifferenceAtStart }
              { Label = "(c) discriminator only, generator fixed"; Run = { fig2Run with Rule = DynamicsRule.DiscriminatorOnly }; View = PanelView.DifferenceAtEnd }
              { Label = "(d) first order, eta_g = eta_d = 0.3"; Run = fig2Run; View = PanelView.DifferenceAtEnd }
              { Label = "(e) first order, eta_g = 0.03, eta_d = 0.3"; Run = { fig2Run with GeneratorStep = 0.03 }; View = PanelView.DifferenceAtEnd }
              { Label = "(d) first order, eta_g = eta_d = 0.3: traces"; Run = fig2Run; View = PanelView.Traces }
              { Label = "(e) first order, eta_g = 0.03, eta_d = 0.3: traces"; Run = { fig2Run with GeneratorStep = 0.03 }; View = PanelView.Traces } ]
      Tolerances = OutcomeTolerances.Default }

/// Beyond the notes: the phase diagram, 2,000 initial conditions per cell, 5,000 steps.
let phaseDiagram =
    { Name = "seed002-phase-diagram"
      Description = "seed 002 beyond the notes: share of 2,000 random initial conditions converging, separations x eta_d/eta_g, both dynamics, plus one Gaussian"
      Kind = DynamicsExperimentKind.PhaseDiagram PhaseDiagramSpec.Default
      Tolerances = OutcomeTolerances.Default }

/// The outcome census of Fig. 1's setting: 10,000 random initial conditions, both dynamics, step 0.1.
let fig1Census =
    { Name = "seed002-fig1-census"
      Description = "seed 002 Fig. 1 setting over 10,000 random initial conditions: outcome counts of both dynamics (mu* = (-0.5, 0.5), step 0.1, 5,000 steps)"
      Kind =
        DynamicsExperimentKind.PhaseDiagram
            { PhaseDiagramSpec.Default with Separations = [ 1.0 ]; StepRatios = [ 1.0 ]; InitialConditions = 10_000; SingleGaussian = false }
      Tolerances = OutcomeTolerances.Default }

/// Seed 002 sec. 4: support sizes by the birthday paradox for models of known and unknown support.
let support =
    { Name = "seed002-support"
      Description = "seed 002 sec. 4: birthday-paradox support estimates (Arora & Zhang 2017) of the truths, memorizers and a mode-collapsed generator"
      Kind = DynamicsExperimentKind.SupportSizes SupportSizesSpec.Default
      Tolerances = OutcomeTolerances.Default }

/// Every declared seed 002 experiment.
let all = [ fig1; fig2; fig1Census; phaseDiagram; support ]
