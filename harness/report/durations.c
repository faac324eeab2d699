#include "durations.h"
#include "../util/xmem.h"
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct rec { char *profile, *id; double secs; } rec;
struct durations { rec *r; size_t n, cap; };

static void load_file(durations *du, const char *file)
{
    json_t *doc = json_load_file(file, 0, NULL);
    if (!doc) return;
    const char *prof = json_string_value(json_object_get(json_object_get(doc, "profile_applied"), "name"));
    json_t *tests = json_object_get(doc, "tests"), *t;
    size_t i;
    json_array_foreach(tests, i, t) {
        const char *id = json_string_value(json_object_get(t, "id"));
        const char *v = json_string_value(json_object_get(t, "verdict"));
        json_t *s = json_object_get(t, "seconds");
        if (!id || !json_is_number(s) || (v && !strcmp(v, "skip"))) continue;
        xgrow((void **)&du->r, &du->cap, du->n + 1, sizeof *du->r);
        du->r[du->n++] = (rec){ xstrdup(prof ? prof : ""), xstrdup(id), json_number_value(s) };
    }
    json_decref(doc);
}

durations *durations_load(const char *path)
{
    durations *du = xcalloc(1, sizeof *du);
    struct stat st;
    if (!path || stat(path, &st) != 0) return du;
    if (!S_ISDIR(st.st_mode)) {
        load_file(du, path);
        return du;
    }
    char *f = xasprintf("%s/results.json", path);
    load_file(du, f);
    free(f);
    DIR *dir = opendir(path);
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *sub = xasprintf("%s/%s", path, e->d_name);
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            f = xasprintf("%s/results.json", sub);
            load_file(du, f);
            free(f);
        }
        free(sub);
    }
    if (dir) closedir(dir);
    return du;
}

size_t durations_count(const durations *du) { return du ? du->n : 0; }

double durations_get(const durations *du, const char *profile, const char *id)
{
    double any = -1;
    for (size_t i = 0; du && id && i < du->n; i++) {
        if (strcmp(du->r[i].id, id)) continue;
        if (profile && !strcmp(du->r[i].profile, profile)) return du->r[i].secs;
        if (du->r[i].secs > any) any = du->r[i].secs;
    }
    return any;
}

void durations_free(durations *du)
{
    if (!du) return;
    for (size_t i = 0; i < du->n; i++) {
        free(du->r[i].profile);
        free(du->r[i].id);
    }
    free(du->r);
    free(du);
}
