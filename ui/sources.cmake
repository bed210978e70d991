target_sources(gateway_ui PRIVATE
)
