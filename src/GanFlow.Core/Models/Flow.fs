namespace GanFlow.Core.Models

open GanFlow.Core.Training

/// How an ordinary differential equation is integrated (continuous flows: FFJORD, OT-Flow).
[<RequireQualifiedAccess>]
type OdeSolver =
    /// Classical fourth-order Runge-Kutta with `steps` equal steps over the integration
    /// interval (>= 1). Seed 003 trains OT-Flow with 4 steps on [0, 1] and plots with 8.
    | Rk4 of steps: int
    /// Adaptive Dormand-Prince 5(4) with relative tolerance `rtol` (> 0), absolute tolerance
    /// `atol` (> 0) and at most `maxSteps` accepted-or-rejected steps (>= 1) per solve.
    /// Seed 000's FFJORD uses rtol = atol = 1e-5.
    | Dopri5 of rtol: float * atol: float * maxSteps: int

/// The latent (base) distribution p_Z of a flow; log p(x) = log p_Z(g⁻¹(x)) + log|det J|.
[<RequireQualifiedAccess>]
type BaseDistribution =
    /// Independent N(0, 1) in every dimension (RealNVP, OT-Flow, FFJORD, Gaussianization).
    | StandardGaussian
    /// Independent standard logistic, density e⁻ᶻ/(1 + e⁻ᶻ)², in every dimension
    /// (NICE, Dinh et al. 2014; seed 001's Flow-GAN on MNIST).
    | StandardLogistic

/// The orthogonal mixing between marginal Gaussianization layers in d > 1.
[<RequireQualifiedAccess>]
type Rotation =
    /// No mixing: the layers act per dimension only (the only choice that makes sense in 1-D).
    | Identity
    /// A learnable orthogonal matrix Q = H₁⋯H_d, the product of d Householder reflections
    /// H = I − 2vvᵀ/‖v‖² (d² parameters, log|det Q| = 0). Ignored in 1-D.
    | Householder

/// How the logistic kernel bandwidth of each marginal layer starts.
[<RequireQualifiedAccess>]
type BandwidthInit =
    /// h₀ = s · (4√π / (π⁴ K))^0.2 with K the number of anchors and s the standard deviation of
    /// the anchors' initial positions (seed 000's reference-code rule, scaled to the data).
    | Reference
    /// A fixed initial logistic scale in data units (> 0).
    | Fixed of scale: float

/// Gaussianization flow (Meng et al. 2020) as used by seed 000: stacked per-dimension
/// marginal layers z = Φ⁻¹(F(x)), F a logistic-kernel mixture CDF.
type GaussianizationFlow =
    { /// Stacked marginal layers (>= 1). Default 5 (seed 000 reference code).
      Layers: int
      /// Logistic kernels (anchors) per dimension and layer (>= 1), equal fixed weights 1/K,
      /// learnable means initialised on data points. Default 100 (seed 000).
      Anchors: int
      /// Initial bandwidth; one learnable log-bandwidth per dimension and layer.
      /// Default `BandwidthInit.Reference`.
      Bandwidth: BandwidthInit
      /// F is clamped into (ε, 1 − ε) before Φ⁻¹, for stability (0 < ε < 0.5).
      /// Default 1e-12 (float64; F and 1 − F are computed in log space, so |z| reaches 7).
      CdfClamp: float
      /// Mixing between layers in d > 1. Default Householder.
      Rotation: Rotation
      /// Most iterations of the inverse (>= 1): safeguarded Newton, falling back to bisection when a
      /// step leaves the bracket, stopping early once a step is below 1e-13 of the scale. Default 100
      /// (Newton usually stops after about 10; 100 bisections alone reach machine precision).
      InverseIterations: int }

    /// 5 layers of 100 anchors, reference bandwidth, ε = 1e-12, Householder mixing: 505
    /// parameters in 1-D, as in seed 000's reference code.
    static member Default =
        { Layers = 5
          Anchors = 100
          Bandwidth = BandwidthInit.Reference
          CdfClamp = 1e-12
          Rotation = Rotation.Householder
          InverseIterations = 100 }

/// RealNVP (Dinh et al. 2016) affine couplings as in seed 003 sec. 3 (eq. 11): layer j keeps
/// the masked coordinates and maps the others y ↦ y·exp(s(y_masked)) + t(y_masked). Each s- and
/// t-net takes the full masked d-dim input and returns d outputs (PAPER-NOTES).
type RealNvp =
    { /// Coupling layers (>= 1), masks alternating between even and odd coordinates.
      /// Default 6 (seed 003).
      Couplings: int
      /// Hidden units of every s- and t-net layer (>= 1). Default 128 (seed 003).
      Width: int
      /// Affine (linear) layers per s- and t-net (>= 2): d→w, (w→w)×(depth−2), w→d.
      /// Default 3 (seed 003).
      Depth: int
      /// Nonlinearity after every hidden affine layer. Default LeakyReLU(0.01) (seed 003).
      Activation: Activation
      /// Squash the s-net output with tanh, bounding each log-scale in (−1, 1). Default true (seed 003).
      TanhScale: bool }

    /// Seed 003: 6 couplings, width 128, 3 affine layers per net, LeakyReLU 0.01, tanh on s:
    /// 205,848 weights in 2-D.
    static member Default =
        { Couplings = 6
          Width = 128
          Depth = 3
          Activation = Activation.LeakyRelu 0.01
          TanhScale = true }

/// NICE (Dinh et al. 2014) additive couplings y_b ↦ y_b + m(y_a) followed by a diagonal
/// scaling z = exp(s) ⊙ y (seed 001: Flow-GAN's MNIST generator).
type Nice =
    { /// Additive coupling layers (>= 1), masks alternating even/odd coordinates.
      /// Default 4 (NICE paper, seed 001).
      Couplings: int
      /// Hidden units per layer of each coupling net m (>= 1). Default 1000 (seed 001).
      Width: int
      /// Affine layers per coupling net (>= 2). Default 6 (NICE: 5 hidden layers).
      Depth: int
      /// Nonlinearity after every hidden affine layer. Default ReLU (NICE paper).
      Activation: Activation }

    /// NICE for MNIST: 4 couplings, nets of 5 hidden layers of 1000 ReLU units.
    static member Default = { Couplings = 4; Width = 1000; Depth = 6; Activation = Activation.Relu }

/// Neural spline flow (Durkan et al. 2019, "Neural Spline Flows"; the strong low-dimensional baseline zuko and nflows
/// ship): layers of monotone rational-quadratic splines with `Bins` bins on [−Bound, Bound] and the identity (linear
/// tails) outside. In 1-D every layer is one spline whose bin widths, heights and inner knot derivatives are free
/// parameters; in d > 1 every layer is a coupling: the coordinates of one half (masks alternating even/odd) pass
/// unchanged, and an MLP of them gives the spline parameters of each coordinate of the other half. Monotone, so exactly
/// invertible; unlike RealNVP's and NICE's affine maps, a spline can bend a density into several modes in 1-D (seed 000:
/// affine flows cannot). Its log-determinant is the sum of the splines' log-derivatives.
type SplineFlow =
    { /// Spline layers (>= 1). Default 4.
      Layers: int
      /// Bins K of each spline (2 to 999: every bin keeps at least 1/1000 of [−Bound, Bound]): 3K − 1 spline parameters
      /// per coordinate (in d > 1 the coupling net gives them for all d coordinates and the kept half's go unused, as
      /// RealNVP's nets here give d values masked by the complement). Default 8.
      Bins: int
      /// The splines act on [−Bound, Bound] (> 0, in the flow's input units; standardize the data first); outside it
      /// the map is the identity. Default 3.
      Bound: float
      /// Hidden units per layer of each coupling net (d > 1; >= 1). Default 64.
      Width: int
      /// Hidden layers of each coupling net (d > 1; >= 1). Default 2.
      Depth: int
      /// Nonlinearity of the coupling nets. Default ReLU.
      Activation: Activation }

    /// 4 layers of 8-bin splines on [−3, 3]; coupling nets of 2 × 64 ReLU units.
    static member Default = { Layers = 4; Bins = 8; Bound = 3.0; Width = 64; Depth = 2; Activation = Activation.Relu }

/// How FFJORD estimates the divergence tr(∂f/∂y) of the velocity field.
[<RequireQualifiedAccess>]
type TraceEstimator =
    /// Exact trace, one autograd pass per dimension (seed 000: exact divergence in 1-D).
    | Exact
    /// Hutchinson: εᵀ(∂f/∂y)ε with ε ~ N(0, I) drawn once per solve (unbiased, Grathwohl et al.).
    | Hutchinson

/// FFJORD continuous normalizing flow (Grathwohl et al. 2019) as used by seed 000:
/// dy/dt = f(y, t) with "concatsquash" layers, dlog|det|/dt = tr(∂f/∂y).
type Ffjord =
    { /// Hidden widths of the velocity network, each layer a concatsquash layer
      /// W y · σ(a t + c) + b t (>= 1 entry, each >= 1). Default [64; 64; 64] (seed 000).
      Hidden: int list
      /// Nonlinearity between layers. Default tanh (seed 000).
      Activation: Activation
      /// Initial end time T of the integration over [0, T] (> 0). Default 0.5 (seed 000).
      EndTime: float
      /// Learn T (as √T squared, one parameter). Default true (seed 000: 9,093 parameters in 1-D).
      TrainEndTime: bool
      /// ODE solver over [0, T]. Default Dopri5(1e-5, 1e-5, 10,000) (seed 000).
      Solver: OdeSolver
      /// Divergence estimator. Default exact.
      Trace: TraceEstimator }

    /// Seed 000's FFJORD: 64-64-64 concatsquash tanh, T = 0.5 trainable, dopri5 1e-5, exact trace.
    static member Default =
        { Hidden = [ 64; 64; 64 ]
          Activation = Activation.Tanh
          EndTime = 0.5
          TrainEndTime = true
          Solver = OdeSolver.Dopri5(1e-5, 1e-5, 10_000)
          Trace = TraceEstimator.Exact }

/// Weights of OT-Flow's combined loss J = E[αₜ·C_L + αₙ·NLL + αₕ·R] (Onken et al. 2021, eq. 10).
type OtFlowLossWeights =
    { /// αₜ on the transport cost C_L = ∫ ½‖v‖² dt. Default 1 (seed 003).
      Transport: float
      /// αₙ on the negative log-likelihood in nats. Default 10 (seed 003).
      Nll: float
      /// αₕ on the HJB penalty R = ∫ |∂ₜΦ − ½‖∇Φ‖²| dt. Default 5 (seed 003).
      Hjb: float }

    /// (1, 10, 5), seed 003's moons weights.
    static member Default = { Transport = 1.0; Nll = 10.0; Hjb = 5.0 }

/// OT-Flow (Onken et al. 2021) as in seed 003 sec. 3: v = −∇ₓΦ(x, t) with
/// Φ(s) = wᵀN(s) + ½ sᵀ(AᵀA)s + bᵀs + c, s = (x, t), N a two-layer ResNet with log-cosh
/// activation: u₀ = σ(K₀s + b₀), u₁ = u₀ + h·σ(K₁u₀ + b₁), h = 1.
type OtFlow =
    { /// ResNet width m (>= 1). Default 32 (seed 003).
      Width: int
      /// Rank r of A ∈ R^{r×(d+1)} (>= 1). Default 3 = min(10, d + 1) for moons (seed 003).
      Rank: int
      /// Solver over t ∈ [0, 1] for training and density evaluation. Default RK4 with 4 steps
      /// (seed 003; 8 for plots).
      Solver: OdeSolver
      /// Loss weights (transport, NLL, HJB). Default (1, 10, 5).
      LossWeights: OtFlowLossWeights }

    /// Seed 003's moons OT-Flow: m = 32, r = 3, RK4 with 4 steps, weights (1, 10, 5).
    static member Default =
        { Width = 32; Rank = 3; Solver = OdeSolver.Rk4 4; LossWeights = OtFlowLossWeights.Default }

/// The bijection of a normalizing flow.
[<RequireQualifiedAccess>]
type FlowArchitecture =
    /// Stacked marginal Gaussianization layers (seed 000 sec. 4.2's GF baseline).
    | Gaussianization of GaussianizationFlow
    /// Affine couplings (seed 003 sec. 3, Real NVP on moons).
    | RealNvp of RealNvp
    /// Additive couplings with a final diagonal scaling (seed 001 sec. 3, Flow-GAN's NICE).
    | Nice of Nice
    /// Continuous normalizing flow with a free-form velocity (seed 000 sec. 4.2's FFJORD baseline).
    | Ffjord of Ffjord
    /// Continuous normalizing flow with a potential velocity and transport/HJB regularisation (seed 003 sec. 3).
    | OtFlow of OtFlow
    /// Rational-quadratic spline layers (Durkan et al. 2019): monotone in 1-D, couplings in d > 1.
    | Spline of SplineFlow

/// A normalizing flow and how it is trained by maximum likelihood (OT-Flow: its combined loss).
type Flow =
    { /// The bijection x ↦ z. Default seed 003's RealNVP.
      Architecture: FlowArchitecture
      /// The latent distribution. Default standard Gaussian.
      Base: BaseDistribution
      /// Optimiser of all flow parameters. Default Adam(1e-4, 0.9, 0.999) (seed 003 RealNVP).
      Optimizer: Optimizer
      /// Learning-rate schedule indexed by training step. Default constant.
      Schedule: LearningRateSchedule
      /// Precede the bijection by the fixed per-dimension affine map x ↦ (x − m)/s, m and s the mean and
      /// standard deviation of the data points drawn at initialisation (1,000, the Gaussianization anchors'
      /// draw). log|det| gains −Σ log s, so likelihoods stay in data units, and samples are mapped back by
      /// x = m + s·y. Lets a flow whose base is N(0, I) start at the data's scale (seed 000's multimodal set
      /// spans [7, 83]). Default false: the papers' flows see raw data.
      Standardize: bool }

/// Named flow specs from the papers.
module Flow =
    /// Adam with PyTorch's defaults (β = (0.9, 0.999), no weight decay) and step `lr`.
    let adam lr = Optimizer.Adam { LearningRate = lr; Beta1 = 0.9; Beta2 = 0.999; WeightDecay = 0.0 }

    /// Seed 003 sec. 3: RealNVP on moons, 6 couplings of width 128 (205,848 weights),
    /// Adam 1e-4 (batch 256, 20,000 steps in the paper).
    let realNvpMoons =
        { Architecture = FlowArchitecture.RealNvp RealNvp.Default
          Base = BaseDistribution.StandardGaussian
          Optimizer = adam 1e-4
          Schedule = LearningRateSchedule.Constant
          Standardize = false }

    /// Seed 003 sec. 3: OT-Flow on moons, m = 32, r = 3 (1,229 parameters), RK4 4 steps,
    /// weights (1, 10, 5), Adam 1e-2 (batch 256, 20,000 steps in the paper).
    let otFlowMoons =
        { realNvpMoons with
            Architecture = FlowArchitecture.OtFlow OtFlow.Default
            Optimizer = adam 1e-2 }

    /// Seed 000 reference code: 5 marginal layers of 100 logistic anchors (505 parameters),
    /// Adam 1e-2 halved every 10,000 steps (batch 2,048, 50,000 steps in the reference).
    let gaussianization1d =
        { realNvpMoons with
            Architecture = FlowArchitecture.Gaussianization GaussianizationFlow.Default
            Optimizer = adam 1e-2
            Schedule = LearningRateSchedule.StepDecay(0.5, 10_000) }

    /// Seed 000 reference code: FFJORD 64-64-64 tanh, T = 0.5 trainable, dopri5 1e-5, exact
    /// trace (9,093 parameters in 1-D), Adam 1e-3 with weight decay 1e-5.
    let ffjord1d =
        { realNvpMoons with
            Architecture = FlowArchitecture.Ffjord Ffjord.Default
            Optimizer = Optimizer.Adam { LearningRate = 1e-3; Beta1 = 0.9; Beta2 = 0.999; WeightDecay = 1e-5 } }

    /// Neural spline flow (`SplineFlow.Default`) on standardized data, Adam 1e-3: 4 layers of 8-bin splines.
    let spline =
        { realNvpMoons with
            Architecture = FlowArchitecture.Spline SplineFlow.Default
            Optimizer = adam 1e-3
            Standardize = true }

    /// Seed 001: NICE with a logistic base, 4 additive couplings of width 1000, Adam 1e-3.
    let niceLogistic =
        { realNvpMoons with
            Architecture = FlowArchitecture.Nice Nice.Default
            Base = BaseDistribution.StandardLogistic
            Optimizer = adam 1e-3 }
