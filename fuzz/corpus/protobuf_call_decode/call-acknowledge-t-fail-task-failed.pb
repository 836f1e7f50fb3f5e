
+
)b2d35daf-ff1b-4410-81a9-028faa714a2d-0008BG
)
'b2d35daf-ff1b-4410-81a9-028faa714a2d-S0
t-fail zß˜Ÿ²B:–úƒí‚b­