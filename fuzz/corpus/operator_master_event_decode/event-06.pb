"â
+
)580e5557-0c27-477e-b567-2e28dfc055c1-0011°

t1"Command exited with status 0*)
'580e5557-0c27-477e-b567-2e28dfc055c1-S01'7ÅÚA:
t1HZåc!óEI6—vyç@PBŽj:
*	127.0.0.1êp"&
$a8babfc1-fb6e-41c8-9bd4-ae44397be54d