/* wdf_rules.h: the KMDF sections of a driver's INF (WDK "Specifying the
 * KMDF Version in an INF File", "Using the KMDF Co-installer"). */
#ifndef SETUP_WDF_RULES_H
#define SETUP_WDF_RULES_H

#include "inf.h"

/* The framework version battkit's ntos/wdf answers to: a driver whose INF
 * asks for a KMDF 1.x library up to this minor version is accepted. */
#define SETUP_KMDF_MAJOR     1
#define SETUP_KMDF_MAX_MINOR 33

/* Checks [<install>.Wdf] of one install section: KmdfService names a
 * service the section installs and a section with KmdfLibraryVersion
 * 1.<minor> (minor <= SETUP_KMDF_MAX_MINOR), else an error; coinstaller
 * lines ([<install>.CoInstallers], and the .Wdf section's
 * KmdfCoInstallerVersion-era keys) get a warning-level note that they are
 * ignored: the framework is part of the host. Returns errors added. */
size_t setup_wdf_rules(bk_inf_t *inf, const bk_inf_install_t *install, bk_diags_t *diags);

#endif
