using Meterai.Gateway.Observability.Prometheus;

namespace Meterai.Gateway.Tests.Observability.Prometheus;

/// <summary>The OpenTelemetry → Prometheus name rules that the dashboards and alerts depend on.</summary>
public sealed class PrometheusNamingTests
{
    [Theory]
    //// The gateway spec's families, from the instruments GatewayMetrics creates.
    [InlineData("meterai.purchases", "{purchase}", "counter", "meterai_purchases_total")]
    [InlineData("meterai.purchase.duration", "s", "histogram", "meterai_purchase_duration_seconds")]
    [InlineData("meterai.distributor.up", null, "gauge", "meterai_distributor_up")]
    [InlineData("meterai.distributor.stock", "", "gauge", "meterai_distributor_stock")]
    [InlineData("meterai.distributor.active", null, "gauge", "meterai_distributor_active")]
    [InlineData("meterai.distributor.inflight", null, "gauge", "meterai_distributor_inflight")]
    [InlineData("meterai.distributor.probe.duration", "s", "histogram", "meterai_distributor_probe_duration_seconds")]
    [InlineData("meterai.admission.rejected", "{request}", "counter", "meterai_admission_rejected_total")]
    [InlineData("meterai.admission.rejected", null, "counter", "meterai_admission_rejected_total")]
    [InlineData("meterai.purchases.unresolved", null, "gauge", "meterai_purchases_unresolved")]
    [InlineData("meterai.refunds.due", null, "gauge", "meterai_refunds_due")]
    //// Framework instruments.
    [InlineData("http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds")]
    [InlineData("http.server.active_requests", "{request}", "gauge", "http_server_active_requests")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", "counter", "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("dotnet.process.memory.working_set", "By", "gauge", "dotnet_process_memory_working_set_bytes")]
    [InlineData("dotnet.process.cpu.time", "s", "counter", "dotnet_process_cpu_time_seconds_total")]
    [InlineData("kestrel.active_connections", "{connection}", "gauge", "kestrel_active_connections")]
    [InlineData("quartz.job.execution.duration", "s", "histogram", "quartz_job_execution_duration_seconds")]
    //// Unit suffixes.
    [InlineData("db.latency", "ms", "histogram", "db_latency_milliseconds")]
    [InlineData("io.throughput", "By/s", "gauge", "io_throughput_bytes_per_second")]
    [InlineData("queue.rate", "{item}/s", "gauge", "queue_rate_per_second")]
    [InlineData("cpu.utilization", "1", "gauge", "cpu_utilization_ratio")]
    [InlineData("errors", "1", "counter", "errors_total")]
    [InlineData("request.size", "KiBy", "histogram", "request_size_kibibytes")]
    [InlineData("temperature", "Cel", "gauge", "temperature_celsius")]
    [InlineData("widgets", "furlong", "gauge", "widgets_furlong")]
    //// The suffix is not doubled.
    [InlineData("wait_seconds", "s", "histogram", "wait_seconds")]
    [InlineData("jobs.total", null, "counter", "jobs_total")]
    [InlineData("send.bytes", "By", "counter", "send_bytes_total")]
    //// Invalid characters, runs of underscores, a leading digit, colons (reserved for recording rules).
    [InlineData("my-app/requests..made", null, "counter", "my_app_requests_made_total")]
    [InlineData("2xx.responses", null, "counter", "_2xx_responses_total")]
    [InlineData("a:b", null, "gauge", "a_b")]
    [InlineData("préparé", null, "gauge", "pr_par_")]
    //// Names Prometheus keeps for histogram series.
    [InlineData("dotnet.thread_pool.thread.count", "{thread}", "gauge", "dotnet_thread_pool_thread_count_value")]
    [InlineData("dotnet.thread_pool.work_item.count", "{work_item}", "counter", "dotnet_thread_pool_work_item_count_total")]
    public void MetricName_ConversionTable_MatchesPrometheusName(string instrument, string? unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(instrument, unit, Kind(kind)));

    [Theory]
    [InlineData("distributor", "distributor")]
    [InlineData("http.response.status_code", "http_response_status_code")]
    [InlineData("otel.metric.overflow", "otel_metric_overflow")]
    [InlineData("error-type", "error_type")]
    [InlineData("1st", "_1st")]
    [InlineData("__reserved", "_reserved")]
    [InlineData("a..b", "a_b")]
    public void LabelName_TagKey_SanitizedLabelName(string key, string expected) =>
        Assert.Equal(expected, PrometheusNaming.LabelName(key));

    [Theory]
    [InlineData(null, "gauge", "")]
    [InlineData("   ", "gauge", "")]
    [InlineData("{purchase}", "counter", "")]
    [InlineData("1", "gauge", "ratio")]
    [InlineData("1", "histogram", "")]
    [InlineData("s", "counter", "seconds")]
    [InlineData("ms", "histogram", "milliseconds")]
    [InlineData("By", "gauge", "bytes")]
    [InlineData("By{compressed}", "gauge", "bytes")]
    [InlineData("1/s", "gauge", "per_second")]
    [InlineData("m/s", "gauge", "meters_per_second")]
    public void UnitSuffix_Unit_PrometheusWords(string? unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.UnitSuffix(unit, Kind(kind)));

    private static PrometheusKind Kind(string kind) => Enum.Parse<PrometheusKind>(kind, ignoreCase: true);
}
