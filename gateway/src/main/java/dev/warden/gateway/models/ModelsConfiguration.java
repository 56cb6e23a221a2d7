package dev.warden.gateway.models;

import dev.warden.gateway.ModelProperties;
import dev.warden.gateway.WardenProperties;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class ModelsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ModelsConfiguration.class);

    @Bean
    ModelFeatures modelFeatures(WardenProperties properties) {
        return new ModelFeatures(properties.models());
    }

    @Bean(destroyMethod = "close")
    ModelCatalog modelCatalog(WardenProperties properties, EngineFactory engines) {
        List<ServedModel> models = new ArrayList<>();
        for (ModelProperties model : properties.models()) {
            ServedModel served = engines.open(model);
            if (served.ready()) {
                log.info(
                        "model '{}' served by the {} engine",
                        served.name(),
                        served.engine().kind());
            } else {
                log.warn("model '{}' is configured but unavailable: {}", served.name(), served.unavailable());
            }
            models.add(served);
        }
        if (models.stream().noneMatch(ServedModel::ready)) {
            log.warn(ModelCatalog.HOW_TO_ADD);
        }
        return new ModelCatalog(models);
    }
}
