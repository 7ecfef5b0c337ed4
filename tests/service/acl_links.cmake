# acl_links.cmake: the links test_acl checks (cmake -DTMP=<testtmp> -P acl_links.cmake):
# acl-link -> acl-target (a data directory that is a link) and acl-purge/link -> acl-target
# (a link inside the tree a purge deletes).
file(REMOVE_RECURSE ${TMP}/acl-purge)
file(REMOVE ${TMP}/acl-link)
file(MAKE_DIRECTORY ${TMP}/acl-target ${TMP}/acl-purge)
file(CREATE_LINK ${TMP}/acl-target ${TMP}/acl-link SYMBOLIC)
file(CREATE_LINK ${TMP}/acl-target ${TMP}/acl-purge/link SYMBOLIC)
