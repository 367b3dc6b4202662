/// <summary>
/// The GC-stress startup hook. A background thread allocates and forces a generation-0 collection about every
/// millisecond, so that collections (and the finaliser thread after them) run while the process's other threads are in
/// native code: a Scalar or tensor whose last managed use was loading its handle is then finalised mid-call, and a
/// number that depends on it changes. Together with <c>DOTNET_GCgen0size=0x10000</c> (the smallest budget the runtime
/// accepts: a smaller value, e.g. 0x8000, is ignored) every allocating thread collects often too.
/// <c>GANFLOW_GC_STRESS_PERIOD_MS</c> sets the period (default 1).
/// </summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime before <c>Main</c> when the hook is named in <c>DOTNET_STARTUP_HOOKS</c>.</summary>
    public static void Initialize()
    {
        var period = int.TryParse(Environment.GetEnvironmentVariable("GANFLOW_GC_STRESS_PERIOD_MS"), out var p) && p >= 0 ? p : 1;
        var thread = new Thread(() =>
        {
            var kept = new object[64];
            var i = 0;
            while (true)
            {
                for (var k = 0; k < 256; k++) kept[(i++) & 63] = new byte[64];
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                if (period > 0) Thread.Sleep(period);
            }
        })
        { IsBackground = true, Name = "ganflow-gc-stress" };
        thread.Start();
    }
}
