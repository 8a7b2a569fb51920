/* Model files by name. See model.h. */
#include "config.h"
#include "denoise/model/model.h"

#include <string.h>

gchar *
aenn_model_find (const gchar * file, const gchar * beside,
    const gchar * from_beside, GError ** error)
{
  const gchar *env = g_getenv (AENN_MODEL_PATH_ENV);
  gchar **dirs;
  gchar *base, *found = NULL;
  GPtrArray *tried;

  if (strchr (file, G_DIR_SEPARATOR) != NULL
      || g_file_test (file, G_FILE_TEST_EXISTS))
    return g_strdup (file);
  base = g_str_has_suffix (file, ".safetensors") ? g_strdup (file) :
      g_strconcat (file, ".safetensors", NULL);
  tried = g_ptr_array_new_with_free_func (g_free);
  /* the search path, then the models where the caller's file says they
   * are (a relocated or --destdir install), then the configured place */
  dirs = g_strsplit (env ? env : "", G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    if (*dirs[i] != '\0')
      g_ptr_array_add (tried, g_build_filename (dirs[i], base, NULL));
  g_strfreev (dirs);
  if (beside != NULL && from_beside != NULL && *from_beside != '\0') {
    gchar *dir = g_path_get_dirname (beside);
    gchar *rel = g_canonicalize_filename (from_beside, dir);
    if (strcmp (rel, AENN_MODELS_DIR) != 0)
      g_ptr_array_add (tried, g_build_filename (rel, base, NULL));
    g_free (rel);
    g_free (dir);
  }
  g_ptr_array_add (tried, g_build_filename (AENN_MODELS_DIR, base, NULL));
  for (guint i = 0; i < tried->len && found == NULL; i++)
    if (g_file_test (tried->pdata[i], G_FILE_TEST_IS_REGULAR))
      found = g_strdup (tried->pdata[i]);
  if (found == NULL) {
    gchar *list;
    g_ptr_array_add (tried, NULL);
    list = g_strjoinv (", ", (gchar **) tried->pdata);
    g_set_error (error, AENN_ERROR, AENN_ERROR_IO, "no file \"%s\" and no "
        "installed model of that name: looked for %s (the directories of "
        AENN_MODEL_PATH_ENV ", then the installed models)", file, list);
    g_free (list);
  }
  g_ptr_array_free (tried, TRUE);
  g_free (base);
  return found;
}
