
+
)b2d35daf-ff1b-4410-81a9-028faa714a2d-0008:?

no-such-executor)
'b2d35daf-ff1b-4410-81a9-028faa714a2d-S0