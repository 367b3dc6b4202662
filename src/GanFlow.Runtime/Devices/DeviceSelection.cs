using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>What the user asked for on the command line (<c>--device cpu|cuda|auto</c>).</summary>
public enum DeviceRequest
{
    /// <summary>CUDA when available, otherwise the CPU.</summary>
    Auto,
    /// <summary>The CPU, always (the reproducible choice).</summary>
    Cpu,
    /// <summary>The first CUDA device; an error when none is available.</summary>
    Cuda,
}

/// <summary>Parses device requests and resolves them to a <see cref="torch.Device"/>.</summary>
public static class DeviceSelection
{
    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>auto</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The text names no known device.</exception>
    public static DeviceRequest Parse(string text) =>
        (text ?? "").Trim().ToLowerInvariant() switch
        {
            "auto" => DeviceRequest.Auto,
            "cpu" => DeviceRequest.Cpu,
            "cuda" => DeviceRequest.Cuda,
            _ => throw new ArgumentException($"unknown device '{text}': expected one of cpu, cuda, auto", nameof(text)),
        };

    /// <summary>The device for a request.</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available.</exception>
    public static torch.Device Resolve(DeviceRequest request) =>
        request switch
        {
            DeviceRequest.Cpu => torch.CPU,
            DeviceRequest.Auto => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
            DeviceRequest.Cuda => torch.cuda.is_available()
                ? torch.CUDA
                : throw new InvalidOperationException(
                    "device 'cuda' was requested but CUDA is not available (the default build links the CPU libtorch; " +
                    "use --device cpu or auto, or build with a CUDA libtorch package)"),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request, "unknown device request"),
        };

    /// <summary><see cref="Parse"/> then <see cref="Resolve"/>.</summary>
    public static torch.Device FromString(string text) => Resolve(Parse(text));
}
