/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IEEE MAC address registries (MA-L, MA-M, MA-S) as Debian's ieee-data
 * ships them, so a device group can say `vendor hikvision` and mean every
 * prefix the vendor holds. docs/vendors.md has the matching rules.
 */
#ifndef CAMFENCE_OUI_H
#define CAMFENCE_OUI_H

#include <stddef.h>
#include <stdint.h>

#define CF_OUI_DIR "/usr/share/ieee-data"

struct cf_oui_prefix {
	uint8_t bytes[6];
	unsigned int len;	/* bits: 24, 28 or 36; bytes beyond len are 0 */
};

struct cf_oui_db;

/*
 * Loads the three registries from dir; -errno and a message naming the file
 * on failure. oui.csv must be there; a missing mam.csv or oui36.csv is not
 * an error (older packages lack them), but then err holds a warning to log
 * and the prefixes of that registry are not known. Otherwise err is "".
 */
int camfence_oui_load(const char *dir, struct cf_oui_db **out, char *err, size_t errlen);
void camfence_oui_free(struct cf_oui_db *db);
/*
 * Every prefix of the vendor called name (case-insensitive). On success
 * returns the number of prefixes (> 0) and a malloc'd array in *out, sorted
 * and without duplicates. -ENOENT: no organisation matches (why says so and,
 * if any, suggests close names); -EINVAL: the name is ambiguous (why lists
 * up to 5 of the organisations it matches and says to use the full
 * organisation name in quotes); -ENOMEM.
 */
int camfence_oui_vendor(const struct cf_oui_db *db, const char *name, struct cf_oui_prefix **out,
			char *why, size_t whylen);
/* The organisation that holds the longest prefix of mac, or NULL. */
const char *camfence_oui_org(const struct cf_oui_db *db, const uint8_t mac[6]);

#endif
