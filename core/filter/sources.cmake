target_sources(gateway_core PRIVATE
    filter/rewrite/appliedrewrite.cpp filter/rewrite/appliedrewrite.h
    filter/rewrite/rewriteengine.cpp filter/rewrite/rewriteengine.h
    filter/rewrite/servervariables.cpp filter/rewrite/servervariables.h
)
