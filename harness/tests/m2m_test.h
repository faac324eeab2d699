/* The one hook between a unit test file and the shared CUnit main (cunit_main.c): each
 * test file defines it and adds its suite(s) to the registry. */
#ifndef M2M_TEST_H
#define M2M_TEST_H

void m2m_test_register(void);

/* A writable copy of s (NULL for NULL) that lives until the test program ends, which frees
 * it: for fixtures whose fields are owned char * strings, without casting const away. */
char *m2m_test_str(const char *s);

#endif
