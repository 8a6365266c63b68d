// Real-kernel tests share the machine's two cores and the kernel's namespace machinery: run them one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
