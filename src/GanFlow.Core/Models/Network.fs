namespace GanFlow.Core.Models

/// Elementwise nonlinearity between layers.
[<RequireQualifiedAccess>]
type Activation =
    /// max(0, x).
    | Relu
    /// Leaky ReLU with the given negative slope (seed 000 searches 0.01).
    | LeakyRelu of negativeSlope: float
    /// tanh x.
    | Tanh
    /// x for x > 0, eˣ − 1 below (α = 1).
    | Elu

/// How the weights of every linear layer are initialised (seed 000 sec. 4.1).
[<RequireQualifiedAccess>]
type WeightInit =
    /// The framework's default (PyTorch's Kaiming-uniform for Linear).
    | FrameworkDefault
    /// Weights ~ U(−bound, bound), biases zero.
    | Uniform of bound: float
    /// Glorot & Bengio 2010: U(−a, a), a = √(6 / (fan_in + fan_out)); biases zero.
    | XavierUniform

/// A multilayer perceptron: input → `Depth` hidden layers of `Width` units → output.
type Mlp =
    { /// Units per hidden layer. Default 64.
      Width: int
      /// Number of hidden layers (>= 1). With `Residual` each hidden layer after the first is a
      /// residual block h + act(W h + b). Default 2.
      Depth: int
      /// Nonlinearity after each hidden layer. Default ReLU.
      Activation: Activation
      /// Batch normalisation after each hidden linear layer (seed 000 uses it in the generator
      /// only: a batch-normalised critic breaks the per-sample gradient penalty). Default off.
      BatchNorm: bool
      /// Dropout probability after each hidden activation, 0 = off (seed 000 Table 2 uses 0.5).
      /// Default 0.
      Dropout: float
      /// Residual (ResNet) hidden blocks (seed 000 Table 2 "with ResNet"). Default off.
      Residual: bool
      /// Weight initialisation. Default the framework's.
      Init: WeightInit }

    /// Width 64, depth 2, ReLU, no batch norm, no dropout, plain (non-residual), default init.
    static member Default =
        { Width = 64
          Depth = 2
          Activation = Activation.Relu
          BatchNorm = false
          Dropout = 0.0
          Residual = false
          Init = WeightInit.FrameworkDefault }
