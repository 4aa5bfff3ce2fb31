package dev.talosburst.autoscaler.config;

import dev.talosburst.provisioner.engine.EngineSettings;

/**
 * The domain's settings records built from {@code talosburst.*}. Operators' defaults are written once, in
 * {@link TalosBurstConfig}'s {@code @WithDefault}s; the records' own defaults (for tests and library callers) are pinned to
 * agree with them by {@code DomainSettingsTest}.
 */
public final class DomainSettings {

    private DomainSettings() {}

    /** The engine's settings for this cluster (tick interval: the record's own, it is not an option). */
    public static EngineSettings engine(String clusterId, TalosBurstConfig config) {
        return new EngineSettings(
                clusterId,
                config.engine().resyncInterval(),
                config.engine().outOfResourcesBackoff(),
                config.engine().createConcurrency(),
                config.engine().createRetryBackoff(),
                null,
                new EngineSettings.ReaperSettings(
                        config.reaper().enabled(),
                        config.reaper().dryRun(),
                        config.reaper().stuckAfter()),
                config.engine().inFlightPollInterval(),
                config.hcloud().budgetPerHour(),
                config.hcloud().budgetShare());
    }
}
