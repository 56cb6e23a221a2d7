package dev.warden.gateway;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The gateway's packages depend on each other in one direction only: a package that imports another must not be
 * imported back, directly or through others. A cycle means neither package can be read, tested or changed alone.
 */
class PackageCyclesTest {

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.warden.gateway");

    @Test
    void noPackageCycles() {
        slices().matching("dev.warden.gateway.(*)..").should().beFreeOfCycles().check(GATEWAY);
    }

    @Test
    void theRootPackageImportsNoSubpackage() {
        // Root classes (the application, its properties) are what every package may use; slices() above leaves
        // the root out, so this says separately that it does not lean on anything below it.
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that()
                .resideInAPackage("dev.warden.gateway")
                .and()
                .doNotHaveSimpleName("WardenGateway")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.warden.gateway.(*)..")
                .check(GATEWAY);
    }
}
